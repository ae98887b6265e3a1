package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.NameServer;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay with several backends per forward: round robin in turn, failover that leaves a dead
 * backend within fall × interval and takes it back, a name with two addresses (served by dnsmasq),
 * hash, and UDP over two backends, all from user space in the gateway namespace.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RelayBackendsIT {

  private static final String SECOND = "192.0.2.18";

  @TempDir Path dir;

  private static Process serve(Topology topology, String role, String tag) {
    Process server =
        topology.spawn(
            role,
            "socat",
            "TCP4-LISTEN:80,fork,reuseaddr",
            "SYSTEM:echo " + tag + " $SOCAT_PEERADDR");
    topology.awaitListening(role, "tcp", 80, Duration.ofSeconds(5));
    return server;
  }

  private static String client(Topology topology, int port) {
    return Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, port);
  }

  @Test
  void spreadsInTurnAndFailsOverAndBack() throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", SECOND, null);
      Process one = serve(topology, "backend", "one");
      serve(topology, "backend2", "two");
      Path table = dir.resolve("ports.txt");
      String backends = Topology.BACKEND + "," + SECOND;
      Files.writeString(
          table,
          "13102 "
              + backends
              + " 80 tcp balance=roundrobin\n"
              + "13103 "
              + backends
              + " 80 tcp balance=failover\n");
      RelayProcess relay =
          RelayProcess.start(topology, table, "tcp", 13103, "--check-interval", "1");
      try {
        int first = 0;
        for (int i = 0; i < 20; i++) {
          first += client(topology, 13102).startsWith("one ") ? 1 : 0;
        }
        assertThat(first).as(relay.log()).isBetween(8, 12);
        assertThat(client(topology, 13103)).startsWith("one ");

        one.destroy();
        one.waitFor(10, TimeUnit.SECONDS);
        long start = System.nanoTime();
        Conditions.await(
            "failover to two",
            Duration.ofSeconds(20),
            () -> client(topology, 13103).startsWith("two "));
        Duration failover = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("relay failover after the first backend died: " + failover);
        assertThat(failover).as(relay.log()).isLessThan(Duration.ofMillis(5_500));

        serve(topology, "backend", "one");
        Conditions.await(
            "back to one",
            Duration.ofSeconds(20),
            () -> client(topology, 13103).startsWith("one "));
        assertThat(relay.log()).contains("backend 192.0.2.2:80 is down after 3 failed checks");
        relay.signal("TERM");
        assertThat(relay.awaitExit(Duration.ofSeconds(15))).as(relay.log()).isZero();
      } finally {
        stop(relay);
      }
    }
  }

  @Test
  void spreadsOverANamesAddressesKeepsAClientByHashAndSpreadsUdp() throws Exception {
    String dns = "192.0.2.53";
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", SECOND, null);
      topology.addVpnHost("dns", dns, null);
      serve(topology, "backend", "one");
      serve(topology, "backend2", "two");
      Traffic.udpServer(topology, "backend", 5353, "one");
      Traffic.udpServer(topology, "backend2", 5353, "two");
      // One name with two addresses: two backends.
      Path hosts = dir.resolve("dns-hosts");
      Files.writeString(hosts, Topology.BACKEND + " game.test\n" + SECOND + " game.test\n");
      RelayProcess relay = null;
      try (NameServer names = NameServer.start(topology, "dns", dns, hosts, dir)) {
        names.serve("gateway");
        Path table = dir.resolve("ports.txt");
        String backends = Topology.BACKEND + "," + SECOND;
        Files.writeString(
            table,
            "13102 game.test 80 tcp balance=roundrobin\n"
                + "13103 "
                + backends
                + " 80 tcp balance=hash\n"
                + "13104 "
                + backends
                + " 5353 udp balance=roundrobin\n");
        relay = RelayProcess.start(topology, table, "tcp", 13103, "--check-interval", "1");

        List<String> byName = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          byName.add(client(topology, 13102));
        }
        assertThat(byName)
            .as(relay.log())
            .anyMatch(a -> a.startsWith("one "))
            .anyMatch(a -> a.startsWith("two "));

        String first = client(topology, 13103);
        assertThat(first).as(relay.log()).matches("(one|two) .*");
        for (int i = 0; i < 10; i++) {
          assertThat(client(topology, 13103)).startsWith(first.substring(0, 4));
        }

        List<String> udp = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          udp.add(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13104, 41000 + i));
        }
        assertThat(udp)
            .as(relay.log())
            .anyMatch(a -> a.startsWith("one "))
            .anyMatch(a -> a.startsWith("two "));
        relay.signal("TERM");
        assertThat(relay.awaitExit(Duration.ofSeconds(15))).as(relay.log()).isZero();
      } finally {
        if (relay != null) {
          stop(relay);
        }
      }
    }
  }

  /**
   * Stops a relay a failed test left running (a passing test has asserted its exit 0 already) and
   * prints its log.
   */
  private static void stop(RelayProcess relay) throws InterruptedException {
    if (relay.isAlive()) {
      relay.signal("TERM");
      try {
        relay.awaitExit(Duration.ofSeconds(15));
      } catch (AssertionError e) {
        System.out.println(e.getMessage()); // the test's own failure is the one to report
      }
    }
    System.out.println("relay log:\n" + relay.log());
  }
}
