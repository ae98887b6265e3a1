package dev.portfwd.cli;

import dev.portfwd.apply.Plan;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code portfwd remove}: deletes exactly what portfwd installed, found in the live kernel. */
@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    description = {
      "Delete every forward portfwd installed, and nothing else, in one transaction.",
      "Needs no table: what is installed is read from the kernel. Needs root."
    })
final class RemoveCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin BackendOption backend;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    KernelSession session = KernelSession.open(backend.choice);
    Plan plan = KernelSession.call(() -> session.backend.planRemove());
    if (plan.isEmpty()) {
      out.println("nothing to remove: portfwd has nothing installed (" + plan.backend() + ")");
      out.flush();
      return;
    }
    KernelSession.call(() -> {
      session.backend.apply(plan);
      return null;
    });
    out.println("removed " + TableLoader.count(plan.changes().size(), "forward") + " (" + plan.backend() + ")");
    ApplyCommand.cleanConntrack(session, plan, spec.commandLine().getErr());
    out.flush();
  }
}
