package dev.portfwd.cli;

import dev.portfwd.apply.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.IpFamily;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd apply}: makes the kernel forward exactly what the table says, in one atomic
 * transaction, then switches IP forwarding on and clears stale UDP conntrack entries.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Install the table's forwards in the kernel as one atomic transaction (all or nothing).",
      "Applying the same table again changes nothing. Needs root."
    })
final class ApplyCommand implements Runnable {

  /** Applying 10,000 forwards should not print 20,000 lines; 'plan' lists them all. */
  private static final int SHOWN_CHANGES = 50;

  @Spec CommandSpec spec;

  @Mixin PlanInputs inputs;

  @Option(names = "--no-sysctl",
      description = "Leave net.ipv4.ip_forward and IPv6 forwarding as they are, even when off.")
  boolean noSysctl;

  @Option(names = "--confirm", paramLabel = "SECONDS",
      description = "Roll back to the previous state unless confirmed within SECONDS: type 'yes', or run"
          + " 'portfwd confirm' in another shell. The rollback happens even when the terminal goes away.")
  Integer confirm;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PreparedSession prepared = inputs.prepare(err);
    DesiredState desired = prepared.desired();
    KernelSession session = prepared.session();
    Plan plan = KernelSession.call(() -> session.backend.plan(desired, prepared.recorded()));
    SafeApplyStep safe = SafeApplyStep.begin(inputs.state, session, plan, inputs.table, !noSysctl, confirm, err);
    try (safe) {
      KernelSession.call(() -> {
        session.backend.apply(plan);
        return null;
      });
      safe.applied();
    }
    PlanCommand.print(plan, out, SHOWN_CHANGES);
    if (!noSysctl) {
      for (IpFamily family : IpFamily.values()) {
        if (desired.uses(family)) {
          String note = KernelSession.call(() -> session.host.enableForwarding(family == IpFamily.IPV6));
          if (note != null) {
            out.println(note);
          }
        }
      }
    }
    cleanConntrack(session, plan, err);
    out.flush();
    safe.awaitConfirmation(session, out, err);
  }

  /** Best effort: the forwards are in place; a conntrack failure only delays stale UDP flows. */
  static void cleanConntrack(KernelSession session, Plan plan, PrintWriter err) {
    if (plan.changes().isEmpty() || !session.conntrack.available()) {
      return;
    }
    try {
      session.conntrack.deleteStaleUdp(plan.changes());
    } catch (IOException e) {
      err.println("portfwd: warning: could not clear stale UDP conntrack entries: " + e.getMessage());
      err.flush();
    }
  }
}
