package dev.portfwd.doctor;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * UDP conntrack entries for a forward's external port that send the flow somewhere other than the
 * forward's backend: made before the forward was applied (they point at the gateway itself) or
 * while it pointed at an old backend. NAT is decided only for a connection's first packet, and a
 * client that keeps sending keeps the entry alive, so such a flow never takes the new rule.
 */
final class StaleUdpCheck implements Check {

  static final String ID = "stale-udp-conntrack";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    List<Finding> findings = new ArrayList<>();
    // Indexed by destination port: a busy gateway holds many entries, a big table many forwards.
    TreeMap<Integer, List<ConntrackEntry>> byPort = new TreeMap<>();
    for (ConntrackEntry entry : facts.conntrack()) {
      byPort.computeIfAbsent(entry.originalDestinationPort(), p -> new ArrayList<>()).add(entry);
    }
    for (Forward forward : table.forwards()) {
      if (!forward.carries(Protocol.UDP)) {
        continue;
      }
      // Grouped by external port and wrong destination: one delete command each.
      Map<String, List<ConntrackEntry>> stale = new LinkedHashMap<>();
      List<ConntrackEntry> candidates =
          byPort
              .subMap(forward.externalPorts().first(), true, forward.externalPorts().last(), true)
              .values()
              .stream()
              .flatMap(List::stream)
              .toList();
      for (ConntrackEntry entry : candidates) {
        if (isStale(forward, entry, facts)) {
          stale
              .computeIfAbsent(
                  entry.originalDestinationPort() + " " + Addresses.format(entry.replySource()),
                  k -> new ArrayList<>())
              .add(entry);
        }
      }
      if (stale.isEmpty()) {
        continue;
      }
      List<String> commands = new ArrayList<>();
      List<String> targets = new ArrayList<>();
      int count = 0;
      for (List<ConntrackEntry> group : stale.values()) {
        ConntrackEntry sample = group.get(0);
        count += group.size();
        String family = IpFamily.of(sample.replySource()) == IpFamily.IPV6 ? " -f ipv6" : "";
        commands.add(
            "conntrack -D -p udp"
                + family
                + " --orig-port-dst "
                + sample.originalDestinationPort()
                + " --reply-src "
                + Addresses.format(sample.replySource()));
        targets.add(describe(sample, facts));
      }
      findings.add(
          Finding.about(
              forward,
              FindingSeverity.ERROR,
              ID,
              count
                  + " UDP conntrack entr"
                  + (count == 1 ? "y" : "ies")
                  + " for "
                  + forward.externalText()
                  + "/udp send the flow to "
                  + String.join(", ", targets)
                  + ", not to "
                  + forward.backendText(),
              "NAT is decided on a flow's first packet only: while the client keeps sending, the entry stays"
                  + " alive and its datagrams never take the forward",
              String.join("; ", commands),
              "deleting the entries is safe: the next datagram of each flow creates a new one through the forward"));
    }
    return findings;
  }

  private static boolean isStale(Forward forward, ConntrackEntry entry, HostFacts facts) {
    int port = entry.originalDestinationPort();
    if (entry.protocol() != Protocol.UDP
        || !forward.externalPorts().contains(port)
        || IpFamily.of(entry.originalDestination()) != forward.family()) {
      return false;
    }
    InetAddress destination = entry.originalDestination();
    boolean forThisForward =
        forward.externalAddress().map(destination::equals).orElse(facts.isLocal(destination));
    if (!forThisForward || facts.isLocal(entry.originalSource())) {
      return false;
    }
    int backendPort = port + forward.portOffset();
    return !(entry.replySource().equals(forward.backend())
        && entry.replySourcePort() == backendPort);
  }

  private static String describe(ConntrackEntry entry, HostFacts facts) {
    return facts.isLocal(entry.replySource())
        ? "the gateway itself (made before the forward existed)"
        : Addresses.withPort(entry.replySource(), entry.replySourcePort());
  }
}
