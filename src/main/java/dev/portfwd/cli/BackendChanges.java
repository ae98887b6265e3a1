package dev.portfwd.cli;

import dev.portfwd.backend.BackendException;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.metrics.ServiceMetrics;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.watch.Reason;
import dev.portfwd.watch.WatchTarget;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What {@code watch} does when the backends in rotation change: applies the table as it is now
 * through the watch target (the engine: one transaction, under its lock) and logs one line saying
 * why and what changed.
 */
final class BackendChanges implements BackendMonitor.Listener {

  private final AtomicReference<KernelWatchTarget> target;
  private final PrintWriter out;
  private final Optional<ServiceMetrics> metrics;

  BackendChanges(
      AtomicReference<KernelWatchTarget> target,
      PrintWriter out,
      Optional<ServiceMetrics> metrics) {
    this.target = target;
    this.out = out;
    this.metrics = metrics;
  }

  @Override
  public void changed(ForwardTable effective, String why) {
    KernelWatchTarget watchTarget = target.get();
    if (watchTarget == null) {
      return;
    }
    String line;
    try {
      DesiredState desired = Compiler.compile(effective);
      WatchTarget.Reconciled result = watchTarget.reconcile(desired, Reason.BACKENDS);
      line =
          why
              + "; "
              + (result.skipped() != null
                  ? "not applied: " + result.skipped()
                  : result.plan().isEmpty()
                      ? "forwards already in place"
                      : "applied: " + result.plan().summary());
    } catch (CompileException e) {
      line = why + "; not applied: " + String.join("; ", e.problems());
    } catch (BackendException e) {
      line = why + "; could not apply: " + e.getMessage();
    }
    synchronized (out) {
      out.println("portfwd watch: " + line);
      out.flush();
    }
  }

  @Override
  public void resolved(String name, boolean ok) {
    metrics.ifPresent(m -> m.nameResolved(name, ok));
  }

  @Override
  public void health(String external, String backend, boolean up) {
    metrics.ifPresent(m -> m.backendHealth(external, backend, up));
  }
}
