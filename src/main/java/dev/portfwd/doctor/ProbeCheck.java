package dev.portfwd.doctor;

import dev.portfwd.model.Addresses;
import java.util.ArrayList;
import java.util.List;

/** Turns probe results into findings; pure, so it is tested with made-up results. */
final class ProbeCheck {

  static final String ID = "backend-probe";

  private ProbeCheck() {}

  static List<Finding> findings(List<ProbeResult> results, String tableSource) {
    List<Finding> findings = new ArrayList<>();
    for (ProbeResult result : results) {
      String target =
          Addresses.withPort(result.forward().backend(), result.port())
              + "/"
              + result.protocol().keyword();
      long millis = result.elapsed().toMillis();
      String line = "line " + result.forward().line() + " of " + tableSource;
      Finding finding =
          switch (result.outcome()) {
            case OK ->
                Finding.about(
                    result.forward(),
                    FindingSeverity.INFO,
                    ID,
                    "backend "
                        + target
                        + " accepted a TCP connection from the gateway in "
                        + millis
                        + " ms",
                    "",
                    "",
                    "");
            case REFUSED ->
                Finding.about(
                    result.forward(),
                    FindingSeverity.ERROR,
                    ID,
                    "backend "
                        + target
                        + " refused the connection ("
                        + millis
                        + " ms): nothing listens on that port,"
                        + " or a firewall on the way rejects it",
                    "forwarded connections get the same refusal: the client sees 'connection refused'",
                    "",
                    "start the service on the backend, or correct the backend port on " + line);
            case TIMED_OUT ->
                Finding.about(
                    result.forward(),
                    FindingSeverity.ERROR,
                    ID,
                    "backend " + target + " did not answer within " + millis + " ms",
                    "the backend is down, a firewall drops the connection, or its replies leave by another path:"
                        + " forwarded connections hang the same way",
                    "",
                    "check that the backend is up and its firewall admits the gateway's address");
            case UNREACHABLE ->
                Finding.about(
                    result.forward(),
                    FindingSeverity.ERROR,
                    ID,
                    "backend "
                        + target
                        + " is unreachable from the gateway ("
                        + result.detail()
                        + ")",
                    "no packet reaches the backend: forwarded connections fail the same way",
                    "",
                    "check the route to the backend and that it is up");
            case UNPROVABLE ->
                Finding.about(
                    result.forward(),
                    FindingSeverity.INFO,
                    ID,
                    "backend "
                        + target
                        + " cannot be proven from here: UDP has no handshake, and a silent"
                        + " service looks the same as a missing one",
                    "",
                    "",
                    "");
            case UNKNOWN ->
                Finding.about(
                    result.forward(),
                    FindingSeverity.INFO,
                    ID,
                    "backend " + target + " was not probed: " + result.detail(),
                    "",
                    "",
                    "");
          };
      findings.add(finding);
    }
    return findings;
  }
}
