package dev.portfwd.doctor;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.util.ArrayList;
import java.util.List;

/**
 * Forwards with {@code masquerade=no}: the backend sees the client's own address and must send its
 * replies back through this gateway. Doctor cannot see the backend's routes, so it says what must
 * hold and gives the command to run on the backend; a backend behind another router is a warning
 * (that router must route the clients back here too). When conntrack shows clients' connections
 * through the forward and not one of them was ever answered, the return path is proven broken: an
 * error.
 */
final class MasqueradeOffCheck implements Check {

  static final String ID = "masquerade-off";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    List<Finding> findings = new ArrayList<>();
    for (Forward forward : table.forwards()) {
      if (forward.masquerade()) {
        continue;
      }
      RouteFact route = facts.routes().get(forward.backend());
      if (route == null || !route.exists()) {
        continue; // The route check reports that.
      }
      String gateway = route.source().map(Addresses::format).orElse("THIS-GATEWAY");
      String ip = forward.family() == IpFamily.IPV4 ? "ip" : "ip -6";
      String onBackend =
          forward.isRestricted()
              ? String.join(
                  " && ",
                  forward.allowedSources().stream()
                      .map(c -> ip + " route replace " + c + " via " + gateway)
                      .toList())
              : ip + " route replace default via " + gateway;
      String clients =
          forward.isRestricted()
              ? String.join(", ", forward.allowedSources().stream().map(Cidr::toString).toList())
              : "every client address";
      List<ConntrackEntry> tried = attempts(forward, facts);
      if (!tried.isEmpty() && tried.stream().noneMatch(ConntrackEntry::replied)) {
        findings.add(
            Finding.about(
                forward,
                FindingSeverity.ERROR,
                ID,
                tried.size()
                    + " TCP connection"
                    + (tried.size() == 1 ? "" : "s")
                    + " from clients (e.g. "
                    + Addresses.format(tried.get(0).originalSource())
                    + ") went to backend "
                    + Addresses.format(forward.backend())
                    + " through this forward and none got an answer back;"
                    + " masquerade=no",
                "the backend answers the client's own address, and its reply leaves by the backend's own route"
                    + " instead of through this gateway: the client never sees it",
                "",
                "on the backend: "
                    + onBackend
                    + "; or set masquerade=yes on line "
                    + forward.line()));
        continue;
      }
      if (route.via().isPresent()) {
        findings.add(
            Finding.about(
                forward,
                FindingSeverity.WARNING,
                ID,
                "masquerade=no, and backend "
                    + Addresses.format(forward.backend())
                    + " is behind router "
                    + Addresses.format(route.via().get())
                    + ": that router and the backend must route "
                    + clients
                    + " back through this gateway",
                "with masquerade off the backend answers the client's own address; replies that take another path"
                    + " never reach the client, and the connection hangs",
                "",
                "on the router "
                    + Addresses.format(route.via().get())
                    + " and on the backend, route "
                    + clients
                    + " back here; or set masquerade=yes on line "
                    + forward.line()));
      } else {
        findings.add(
            Finding.about(
                forward,
                FindingSeverity.INFO,
                ID,
                "masquerade=no: backend "
                    + Addresses.format(forward.backend())
                    + " must route "
                    + clients
                    + " back through this gateway ("
                    + gateway
                    + ")",
                "with masquerade off the backend answers the client's own address; replies that leave by its own"
                    + " default route never reach the client. Doctor cannot check the backend's routes from here",
                "",
                "on the backend: "
                    + onBackend
                    + "; or set masquerade=yes on line "
                    + forward.line()));
      }
    }
    return findings;
  }

  /** TCP connections clients made through {@code forward}, as conntrack holds them. */
  private static List<ConntrackEntry> attempts(Forward forward, HostFacts facts) {
    if (!forward.carries(Protocol.TCP)) {
      return List.of();
    }
    return facts.conntrack().stream()
        .filter(
            e ->
                e.protocol() == Protocol.TCP
                    && forward.externalPorts().contains(e.originalDestinationPort())
                    && forward
                        .externalAddress()
                        .map(e.originalDestination()::equals)
                        .orElse(facts.isLocal(e.originalDestination()))
                    && !facts.isLocal(e.originalSource())
                    && e.replySource().equals(forward.backend()))
        .toList();
  }
}
