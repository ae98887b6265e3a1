package dev.portfwd.cli;

import dev.portfwd.doctor.Finding;
import dev.portfwd.doctor.FindingSeverity;
import dev.portfwd.model.BackendMember;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.CheckTarget;
import dev.portfwd.pool.HealthProbe;
import dev.portfwd.pool.Rotation;
import dev.portfwd.pool.TableNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code doctor} says about several backends and names: each name that does not resolve, and
 * each backend of a forward with several backends or a name that does not answer its check (with an
 * error when none answers: the service then keeps them all, and connections fail).
 */
final class BackendFindings {

  static final String CHECK = "backend-pool";

  private BackendFindings() {}

  static List<Finding> names(TableNames.Resolved resolved) {
    List<Finding> findings = new ArrayList<>();
    for (TableNames.Failure failure : resolved.failures()) {
      findings.add(
          Finding.about(
              failure.forward(),
              FindingSeverity.ERROR,
              CHECK,
              "backend name " + failure.name() + " does not resolve (" + failure.why() + ")",
              "portfwd apply refuses the table, and the service leaves the forward out (or"
                  + " keeps the addresses it last resolved) until the name resolves",
              "getent hosts " + failure.name(),
              "check the name servers in /etc/resolv.conf and the name's DNS record"));
    }
    return findings;
  }

  /** Checks every backend of {@code table}'s forwards with several backends or a name. */
  static List<Finding> health(ForwardTable table, HealthProbe probe, Duration timeout) {
    List<Finding> findings = new ArrayList<>();
    for (Forward forward : table.forwards()) {
      if (forward.pool().written().size() < 2 && !forward.pool().hasNames()) {
        continue;
      }
      List<String> down = new ArrayList<>();
      int checked = 0;
      for (BackendMember member : forward.pool().members()) {
        Optional<CheckTarget> target = Rotation.target(forward, member);
        if (target.isEmpty()) {
          continue;
        }
        checked++;
        String problem = probe.check(target.get(), timeout);
        if (problem != null) {
          down.add(target.get() + " (" + problem + ")");
        }
      }
      if (down.isEmpty()) {
        continue;
      }
      boolean all = down.size() == checked;
      findings.add(
          Finding.about(
              forward,
              all ? FindingSeverity.ERROR : FindingSeverity.WARNING,
              CHECK,
              (all ? "every backend is down: " : "backends down: ") + String.join(", ", down),
              all
                  ? "the service keeps all of them in rotation (dropping the last gains nothing),"
                      + " so new connections fail until one answers"
                  : "the service takes a backend out of rotation after 3 failed checks; new"
                      + " connections go to the others",
              "",
              "start the service on the backend, or check the route to it (backend-route)"));
    }
    return findings;
  }
}
