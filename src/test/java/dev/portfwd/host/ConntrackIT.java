package dev.portfwd.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import dev.portfwd.testing.KernelBackend;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stale UDP conntrack entries after {@code apply}, in the reference topology through the built jar:
 * the entries portfwd must delete (translated to a backend a forward no longer has, or sent to the
 * gateway itself on the port of a new forward) go, every other entry stays.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConntrackIT {

  @TempDir Path dir;

  /** {@code conntrack -I} of one UDP entry from {@code client}:{@code port}, answered by reply. */
  private static String udpEntry(
      String client, int clientPort, int port, String replySource, String replyDestination) {
    return "conntrack -I -p udp -s "
        + client
        + " -d 203.0.113.1 --sport "
        + clientPort
        + " --dport "
        + port
        + " -r "
        + replySource
        + " -q "
        + replyDestination
        + " --reply-port-src "
        + port
        + " --reply-port-dst "
        + clientPort
        + " -t 600 2>/dev/null";
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void applyDeletesExactlyTheStaleUdpEntries(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      Path table = dir.resolve("t.txt");
      Files.writeString(
          table,
          "13111 192.0.2.2 13111 udp\n13120 192.0.2.2 13120 udp\n"
              + "[2001:db8:1::1]:13111 2001:db8:2::2 13111 udp\n");
      ok(PortfwdJar.runIn(topology, "gateway", backend.withBackend("apply", table.toString())));

      List<String> inserts = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        // Clients translated to 13111's backend, which the change below replaces: stale.
        inserts.add(udpEntry("203.0.113.10", 40000 + i, 13111, "192.0.2.2", "192.0.2.1"));
      }
      for (int i = 0; i < 20; i++) {
        // Datagrams to the gateway itself on 13112 before it was forwarded: stale once it is.
        inserts.add(udpEntry("203.0.113.11", 41000 + i, 13112, "203.0.113.1", "203.0.113.11"));
      }
      for (int i = 0; i < 10; i++) {
        // An unchanged forward's connections, and the gateway's own UDP service: kept.
        inserts.add(udpEntry("203.0.113.12", 42000 + i, 13120, "192.0.2.2", "192.0.2.1"));
        inserts.add(udpEntry("203.0.113.12", 43000 + i, 13199, "203.0.113.1", "203.0.113.12"));
      }
      for (int i = 0; i < 5; i++) {
        // Through the IPv6 forward bound to one address, whose backend changes: stale.
        inserts.add(
            "conntrack -I -p udp -s 2001:db8:1::10 -d 2001:db8:1::1 --sport "
                + (45000 + i)
                + " --dport 13111 -r 2001:db8:2::2 -q 2001:db8:2::1 --reply-port-src 13111"
                + " --reply-port-dst "
                + (45000 + i)
                + " -t 600 2>/dev/null");
      }
      inserts.add(
          "conntrack -I -p tcp -s 203.0.113.13 -d 203.0.113.1 --sport 44000 --dport 13111"
              + " -r 192.0.2.2 -q 192.0.2.1 --reply-port-src 13111 --reply-port-dst 44000"
              + " --state ESTABLISHED -t 600 2>/dev/null");
      topology.sh("gateway", String.join(" && ", inserts));
      assertThat(entries(topology, IpFamily.IPV4)).hasSize(141);
      assertThat(entries(topology, IpFamily.IPV6)).hasSize(5);

      Files.writeString(
          table,
          "13111 192.0.2.3 13111 udp\n13112 192.0.2.2 13112 udp\n13120 192.0.2.2 13120 udp\n"
              + "[2001:db8:1::1]:13111 2001:db8:2::3 13111 udp\n");
      ok(PortfwdJar.runIn(topology, "gateway", backend.withBackend("apply", table.toString())));

      assertThat(entries(topology, IpFamily.IPV6)).isEmpty();
      List<Conntrack.Entry> left = entries(topology, IpFamily.IPV4);
      assertThat(left)
          .noneMatch(
              e ->
                  e.protocol() == Protocol.UDP
                      && e.destinationPort() == 13111
                      && e.replySource().getHostAddress().equals("192.0.2.2"))
          .noneMatch(e -> e.protocol() == Protocol.UDP && e.destinationPort() == 13112);
      assertThat(left.stream().filter(e -> e.destinationPort() == 13120)).hasSize(10);
      assertThat(left.stream().filter(e -> e.destinationPort() == 13199)).hasSize(10);
      assertThat(left.stream().filter(e -> e.protocol() == Protocol.TCP)).hasSize(1);
      assertThat(left).hasSize(21);
    }
  }

  private static List<Conntrack.Entry> entries(Topology topology, IpFamily family) {
    CommandResult listed =
        topology.exec(
            "gateway", "conntrack", "-L", "-f", family == IpFamily.IPV4 ? "ipv4" : "ipv6");
    assertThat(listed.succeeded()).as(listed.stderr()).isTrue();
    return Conntrack.parse(family, listed.stdout());
  }

  private static CommandResult ok(CommandResult result) {
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    return result;
  }
}
