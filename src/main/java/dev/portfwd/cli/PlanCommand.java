package dev.portfwd.cli;

import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.Plan;
import dev.portfwd.engine.Engine;
import dev.portfwd.table.TerminalText;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd plan}: what {@code apply} would change, per forward, read from the live kernel.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Show what 'apply' would add, change and remove, per forward, compared with the live kernel state.",
      "Reads only; needs root because the kernel's rules are readable only by root."
    })
final class PlanCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Mixin PlanInputs inputs;

  @Option(
      names = "--script",
      description = "Print the exact transaction apply would send to the kernel.")
  boolean script;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Invocation invocation = root.invocation();
    PreparedSession prepared = inputs.prepare(invocation, err);
    Engine engine =
        invocation.engine(prepared.session(), invocation.store(inputs.state.stateDir), err);
    Plan plan = KernelSession.call(() -> engine.plan(prepared.desired(), !inputs.reread));
    if (script) {
      out.print(plan.script());
    } else {
      print(plan, out, Integer.MAX_VALUE);
    }
    out.flush();
  }

  /**
   * The plan for people: one line per change, then a summary; at most {@code limit} lines of
   * changes.
   */
  static void print(Plan plan, PrintWriter out, int limit) {
    int shown = 0;
    for (ForwardChange change : plan.changes()) {
      if (shown++ == limit) {
        out.println(
            "… and " + (plan.changes().size() - limit) + " more ('portfwd plan' lists all)");
        break;
      }
      out.println(TerminalText.escape(change.describe()));
    }
    if (plan.isEmpty()) {
      out.println(
          "no changes ("
              + plan.backend()
              + " already holds "
              + plan.desired().forwards().size()
              + " forwards)");
    } else {
      out.println(plan.backend() + ": " + plan.summary());
    }
  }
}
