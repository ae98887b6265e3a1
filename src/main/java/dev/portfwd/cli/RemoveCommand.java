package dev.portfwd.cli;

import dev.portfwd.backend.Plan;
import dev.portfwd.engine.Engine;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code portfwd remove}: deletes exactly what portfwd installed, found in the live kernel. */
@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    description = {
      "Delete every forward portfwd installed, and nothing else, in one transaction.",
      "Needs no table: what is installed is read from the kernel. Refused while an 'apply --confirm' waits"
          + " ('portfwd confirm' or 'portfwd rollback' settles it first); 'portfwd rollback' undoes a remove."
          + " Needs root."
    })
final class RemoveCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Mixin BackendOption backend;

  @Mixin StateOptions state;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Invocation invocation = root.invocation();
    KernelSession session = invocation.session(backend.choice);
    Engine engine = invocation.engine(session, invocation.store(state.stateDir), err);
    Plan plan = KernelSession.call(engine::remove);
    if (plan.isEmpty()) {
      out.println("nothing to remove: portfwd has nothing installed (" + plan.backend() + ")");
    } else {
      out.println(
          "removed "
              + TableLoader.count(plan.changes().size(), "forward")
              + " ("
              + plan.backend()
              + ")");
    }
    out.flush();
  }
}
