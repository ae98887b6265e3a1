package dev.portfwd.cli;

import dev.portfwd.apply.BackendException;
import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.RollbackTimer;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The detached rollback timer of {@code apply --confirm} (hidden: apply starts it through {@code
 * setsid}, users never do). Undoes the apply at the deadline unless it was confirmed; its output
 * goes to {@code rollback.log} in the state directory.
 */
@Command(name = RollbackTimerCommand.NAME, hidden = true,
    description = "Internal: the rollback timer that 'apply --confirm' starts in the background.")
final class RollbackTimerCommand implements Runnable {

  static final String NAME = "rollback-timer";

  @Spec CommandSpec spec;

  @Mixin StateOptions state;

  @Option(names = "--id", required = true, description = "The pending confirmation this timer guards.")
  String id;

  @Override
  public void run() {
    PrintWriter log = spec.commandLine().getOut();
    StateStore store = state.store();
    try {
      new RollbackTimer(store, Clock.systemUTC(), Duration.ofMillis(200)).run(id, () -> {
        Optional<PendingConfirmation> pending = store.pending();
        BackendChoice choice = pending.map(p -> BackendChoice.valueOf(p.backend())).orElse(BackendChoice.auto);
        return StateOptions.restorer(store, KernelSession.open(choice), spec.commandLine().getErr());
      }, log);
    } catch (IOException e) {
      throw PortfwdException.failure("rollback timer " + id + ": " + e.getMessage(), e);
    } catch (BackendException e) {
      throw PortfwdException.failure("rollback timer " + id + ": rollback failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PortfwdException.failure("rollback timer " + id + ": interrupted");
    }
  }
}
