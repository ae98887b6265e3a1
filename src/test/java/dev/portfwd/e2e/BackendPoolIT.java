package dev.portfwd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.KernelBackend;
import dev.portfwd.testing.NameServer;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Scrapes;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several backends per forward and backends by name, end to end: {@code portfwd watch} in the
 * gateway namespace checks the backends and re-resolves names served by a real dnsmasq in its own
 * namespace (the gateway's resolver pointed at it through {@code /etc/netns/NAME/resolv.conf}), for
 * each kernel backend. Two backends on the VPN side: 192.0.2.2 ("one") and 192.0.2.18 ("two").
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BackendPoolIT {

  private static final String SECOND = "192.0.2.18";
  private static final String DNS = "192.0.2.53";
  private static final double INTERVAL = 1.0;

  @TempDir Path dir;

  private Process startWatch(Topology topology, KernelBackend backend, Path table, Path log)
      throws IOException {
    return startWatch(topology, backend, table, log, "--no-control");
  }

  /** Watch with {@code control}: {@code --no-control}, or {@code --control PATH} for the CLI. */
  private Process startWatch(
      Topology topology, KernelBackend backend, Path table, Path log, String... control)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "watch",
                "--backend",
                backend.option(),
                "--state-dir",
                dir.resolve("state").toString()));
    args.addAll(List.of(control));
    args.addAll(
        List.of(
            "--check-interval", Double.toString(INTERVAL), "--dns-min-ttl", "1", table.toString()));
    List<String> argv = PortfwdJar.commandIn(topology, "gateway", args.toArray(String[]::new));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String client(Topology topology) {
    return Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102);
  }

  /** Waits until new connections are answered by {@code tag}; returns how long that took. */
  private static Duration awaitServedBy(Topology topology, String tag, Duration limit)
      throws InterruptedException {
    long start = System.nanoTime();
    Conditions.await(
        "new connections reach " + tag, limit, () -> client(topology).startsWith(tag + " "));
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Runs {@code portfwd apply} of {@code table} in the gateway with {@code backend}. */
  private CommandResult apply(Topology topology, KernelBackend backend, Path table) {
    return PortfwdJar.runIn(
        topology,
        "gateway",
        backend.withBackend(
            "apply", "--state-dir", dir.resolve("state").toString(), table.toString()));
  }

  /** The answers to {@code count} TCP connections, one after the other, to the gateway's port. */
  private static List<String> answers(Topology topology, int port, int count) {
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      answers.add(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, port));
    }
    return answers;
  }

  /** Stops watch and prints its log into the test's output. */
  private static void stopWatch(Process watch, Path log) throws InterruptedException {
    stop(watch);
    watch.destroyForcibly();
    System.out.println("watch log:\n" + Conditions.read(log));
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"NFTABLES", "IPTABLES_NFT"})
  void failoverLeavesADeadBackendWithinFallTimesIntervalAndTakesItBack(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", SECOND, null);
      Process one = serve(topology, "backend", 80, "one");
      serve(topology, "backend2", 80, "two");
      Path table = dir.resolve("ports.txt");
      Files.writeString(
          table, "13102 " + Topology.BACKEND + "," + SECOND + " 80 tcp balance=failover\n");
      Path log = dir.resolve("watch.log");
      Process watch = startWatch(topology, backend, table, log);
      try {
        awaitServedBy(topology, "one", Duration.ofSeconds(40));

        stop(one);
        Duration failover = awaitServedBy(topology, "two", Duration.ofSeconds(20));
        System.out.println(backend + " failover after the first backend died: " + failover);
        // fall × interval, plus one round in flight, the apply and the client's own time.
        assertThat(failover).as(Conditions.read(log)).isLessThan(Duration.ofMillis(5_500));
        // The line is written once the change is applied: the kernel may switch a moment before.
        Conditions.await(
            "the change is logged",
            Duration.ofSeconds(5),
            () -> Conditions.read(log).contains("backend 192.0.2.2:80 is down after 3 failed"));

        serve(topology, "backend", 80, "one");
        Duration back = awaitServedBy(topology, "one", Duration.ofSeconds(20));
        System.out.println(backend + " back to the first backend after it returned: " + back);
        assertThat(back).isLessThan(Duration.ofMillis(4_500));
        Conditions.await(
            "the return is logged",
            Duration.ofSeconds(5),
            () -> Conditions.read(log).contains("backend 192.0.2.2:80 is up again"));
      } finally {
        stopWatch(watch, log);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"NFTABLES", "IPTABLES_NFT"})
  void establishedConnectionStaysWhileItsBackendLeavesAndAllDownKeepsThemAll(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", SECOND, null);
      // The service on 80 (an echo after a greeting); the check on 81, stopped separately.
      echo(topology, "backend", 80, "one");
      echo(topology, "backend2", 80, "two");
      Process checkOne = serve(topology, "backend", 81, "alive");
      Process checkTwo = serve(topology, "backend2", 81, "alive");
      Path table = dir.resolve("ports.txt");
      Files.writeString(
          table, "13102 " + Topology.BACKEND + "," + SECOND + " 80 tcp check=tcp:81\n");
      Path log = dir.resolve("watch.log");
      Path socket = dir.resolve("control.sock");
      Process watch = startWatch(topology, backend, table, log, "--control", socket.toString());
      Process held = null;
      try {
        awaitServedBy(topology, "one", Duration.ofSeconds(40));
        held =
            new ProcessBuilder(
                    "ip",
                    "netns",
                    "exec",
                    topology.namespace("client"),
                    "socat",
                    "-T30",
                    "-",
                    "TCP4:" + Topology.GATEWAY_WAN + ":13102")
                .start();
        BufferedReader reads =
            new BufferedReader(
                new InputStreamReader(held.getInputStream(), StandardCharsets.UTF_8));
        OutputStream writes = held.getOutputStream();
        assertThat(reads.readLine()).startsWith("one");

        stop(checkOne);
        awaitServedBy(topology, "two", Duration.ofSeconds(20));
        writes.write("still there\n".getBytes(StandardCharsets.UTF_8));
        writes.flush();
        assertThat(reads.readLine()).isEqualTo("still there");

        stop(checkTwo);
        Conditions.await(
            "every backend down is reported",
            Duration.ofSeconds(15),
            () -> Conditions.read(log).contains("every backend of line 1 is down"));
        // All stay: new connections are still forwarded, to the first in the order written.
        awaitServedBy(topology, "one", Duration.ofSeconds(10));
        assertThat(backend.installed(topology)).contains(Topology.BACKEND);
        // status through the service shows each backend's health; doctor explains it.
        CommandResult status =
            PortfwdJar.runIn(
                topology,
                "gateway",
                "status",
                "--control",
                socket.toString(),
                "--state-dir",
                dir.resolve("state").toString());
        System.out.println(status.stdout() + status.stderr());
        assertThat(status.stdout())
            .contains("192.0.2.18:81")
            .contains("down (connection refused)")
            .contains("every backend of line 1 is down; all stay in rotation");
        CommandResult doctor =
            PortfwdJar.runIn(topology, "gateway", "doctor", "--direct", table.toString());
        assertThat(doctor.stdout())
            .as(doctor.stderr())
            .contains("every backend is down: 192.0.2.2:81 (connection refused)");
      } finally {
        if (held != null) {
          held.destroyForcibly();
        }
        stopWatch(watch, log);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"NFTABLES", "IPTABLES_NFT"})
  void aChangedDnsRecordMovesNewConnectionsWithinTtlAndOneInterval(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", SECOND, null);
      topology.addVpnHost("dns", DNS, null);
      serve(topology, "backend", 80, "one");
      serve(topology, "backend2", 80, "two");
      Path hosts = dir.resolve("dns-hosts");
      Files.writeString(hosts, Topology.BACKEND + " game.test\n");
      try (NameServer dns = NameServer.start(topology, "dns", DNS, hosts, dir)) {
        dns.serve("gateway");
        assertThat(topology.exec("gateway", "getent", "hosts", "game.test").stdout())
            .contains(Topology.BACKEND);

        // One-shot: a name that does not resolve is refused, naming the line; nothing changes.
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "13102 game.test 80 tcp\n13103 nowhere.test 80 tcp\n");
        CommandResult refused = apply(topology, backend, bad);
        assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
        assertThat(refused.stderr())
            .contains("bad.txt:2:")
            .contains("backend name 'nowhere.test' does not resolve")
            .contains("nothing was changed");
        assertThat(backend.installed(topology)).isEmpty();

        Path table = dir.resolve("ports.txt");
        Files.writeString(table, "13102 game.test 80 tcp check=none\n");
        Path log = dir.resolve("watch.log");
        Process watch = startWatch(topology, backend, table, log);
        try {
          awaitServedBy(topology, "one", Duration.ofSeconds(40));

          dns.answer(SECOND + " game.test\n");
          Duration moved = awaitServedBy(topology, "two", Duration.ofSeconds(20));
          System.out.println(backend + " new connections followed the DNS record after " + moved);
          // TTL (1 s) + one interval (1 s), plus the apply and the client's own time.
          assertThat(moved).as(Conditions.read(log)).isLessThan(Duration.ofMillis(4_500));
          Conditions.await(
              "the new address is logged",
              Duration.ofSeconds(5),
              () -> Conditions.read(log).contains("game.test now resolves to 192.0.2.18"));

          // The name server gone: the last good address stays, with a warning.
          dns.stop();
          Conditions.await(
              "a failed look-up is reported",
              Duration.ofSeconds(20),
              () -> Conditions.read(log).contains("cannot resolve game.test"));
          assertThat(Conditions.read(log)).contains("keeping 192.0.2.18");
          assertThat(client(topology)).startsWith("two ");
        } finally {
          stopWatch(watch, log);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"NFTABLES", "IPTABLES_NFT"})
  void roundRobinSpreadsHashKeepsAClientAndUdpUsesBothBackends(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", SECOND, null);
      serve(topology, "backend", 80, "one");
      serve(topology, "backend2", 80, "two");
      Traffic.udpServer(topology, "backend", 5353, "one");
      Traffic.udpServer(topology, "backend2", 5353, "two");
      Path table = dir.resolve("ports.txt");
      String backends = Topology.BACKEND + "," + SECOND;
      Files.writeString(
          table,
          "13102 "
              + backends
              + " 80 tcp balance=roundrobin # spread\n"
              + "13103 "
              + backends
              + " 80 tcp balance=hash\n"
              + "13104 "
              + backends
              + " 5353 udp balance=roundrobin\n");
      CommandResult apply = apply(topology, backend, table);
      assertThat(apply.exitCode()).as(apply.stderr()).isZero();

      List<String> spread = answers(topology, 13102, 100);
      long one = spread.stream().filter(a -> a.startsWith("one ")).count();
      long two = spread.stream().filter(a -> a.startsWith("two ")).count();
      System.out.println(backend + " roundrobin over 100 connections: one " + one + ", two " + two);
      assertThat(one + two).isEqualTo(100L);
      assertThat(one).isBetween(40L, 60L);

      String first = Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13103);
      assertThat(first).matches("(one|two) .*");
      assertThat(answers(topology, 13103, 20)).allMatch(a -> a.startsWith(first.substring(0, 4)));

      List<String> udp = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        udp.add(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13104, 41000 + i));
      }
      assertThat(udp).anyMatch(a -> a.startsWith("one ")).anyMatch(a -> a.startsWith("two "));

      CommandResult status =
          PortfwdJar.runIn(
              topology, "gateway", "status", "--state-dir", dir.resolve("state").toString());
      assertThat(status.stdout())
          .as(status.stderr())
          .contains("192.0.2.2:80,192.0.2.18:80 roundrobin")
          .contains("192.0.2.2:80,192.0.2.18:80 hash");
      System.out.println(status.stdout());
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"NFTABLES", "IPTABLES_NFT"})
  void spreadForwardsTakeAnAddressARangeFromAndSnatAndCountEachBackend(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", SECOND, null);
      topology.sh("gateway", "ip addr add 192.0.2.254/24 dev vpn");
      serve(topology, "backend", 80, "one");
      serve(topology, "backend2", 80, "two");
      serve(topology, "backend", 81, "one81");
      serve(topology, "backend2", 81, "two81");
      // snat= on its own backend port: postrouting decides by the backend tuple alone.
      serve(topology, "backend", 82, "one");
      serve(topology, "backend2", 82, "two");
      Path table = dir.resolve("ports.txt");
      String backends = Topology.BACKEND + "," + SECOND;
      Files.writeString(
          table,
          Topology.GATEWAY_WAN
              + ":13102 "
              + backends
              + " 80 tcp balance=roundrobin # by address\n"
              + "13110-13111 "
              + backends
              + " 80-81 tcp balance=roundrobin # shifted range\n"
              + "13120 "
              + backends
              + " 80 tcp balance=roundrobin from=198.51.100.0/24 # not this client\n"
              + "13121 "
              + backends
              + " 80 tcp balance=hash from=203.0.113.0/24 # admitted\n"
              + "13130 "
              + backends
              + " 82 tcp balance=roundrobin snat=192.0.2.254 # HA source\n");
      String state = dir.resolve("state").toString();
      CommandResult apply = apply(topology, backend, table);
      assertThat(apply.exitCode()).as(apply.stderr()).isZero();

      // One forward after the other: nft's round robin counts in one counter per rule, shared by
      // the forwards of one shape and count of backends.
      List<String> byAddress = answers(topology, 13102, 6);
      List<String> shifted = answers(topology, 13111, 6);
      List<String> snat = answers(topology, 13130, 6);
      System.out.println(backend + ": " + byAddress + " " + shifted + " " + snat);
      assertThat(byAddress).anyMatch(a -> a.startsWith("one ")).anyMatch(a -> a.startsWith("two "));
      assertThat(shifted)
          .allMatch(a -> a.matches("(one|two)81 .*"))
          .anyMatch(a -> a.startsWith("one81"))
          .anyMatch(a -> a.startsWith("two81"));
      assertThat(snat)
          .allMatch(a -> a.endsWith(" 192.0.2.254"))
          .anyMatch(a -> a.startsWith("one "))
          .anyMatch(a -> a.startsWith("two "));
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13120)).isEmpty();
      String hashed = Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13121);
      assertThat(hashed).matches("(one|two) .*");
      assertThat(answers(topology, 13121, 5)).allMatch(a -> a.startsWith(hashed.substring(0, 4)));

      // Each backend's share of the round-robin forward by address: three connections each.
      CommandResult status =
          PortfwdJar.runIn(
              topology, "gateway", backend.withBackend("status", "--json", "--state-dir", state));
      System.out.println(status.stdout() + status.stderr());
      JsonNode forwards = new ObjectMapper().readTree(status.stdout()).get("forwards");
      JsonNode spread = null;
      for (JsonNode f : forwards) {
        if (f.path("externalAddress").asText().equals(Topology.GATEWAY_WAN)) {
          spread = f;
        }
      }
      assertThat(spread).as(status.stdout()).isNotNull();
      JsonNode each = spread.get("backends");
      assertThat(each).as(status.stdout()).hasSize(2);
      assertThat(each.get(0).get("address").asText()).isEqualTo(Topology.BACKEND);
      assertThat(each.get(1).get("address").asText()).isEqualTo(SECOND);
      long one = byAddress.stream().filter(a -> a.startsWith("one ")).count();
      if (backend == KernelBackend.IPTABLES_NFT) {
        // nat rules see a connection's first packet only: packets are connections there.
        assertThat(each.get(0).get("packets").asLong()).isEqualTo(one);
        assertThat(each.get(1).get("packets").asLong()).isEqualTo(6 - one);
      } else {
        // Every packet the client sent: a handful per connection, on the backend that served it.
        assertThat(each.get(0).get("packets").asLong()).isBetween(one * 3, one * 12);
        assertThat(each.get(1).get("packets").asLong()).isBetween((6 - one) * 3, (6 - one) * 12);
      }
      assertThat(spread.get("packets").asLong())
          .isEqualTo(each.get(0).get("packets").asLong() + each.get(1).get("packets").asLong());
      CommandResult text =
          PortfwdJar.runIn(
              topology, "gateway", backend.withBackend("status", "--state-dir", state));
      assertThat(text.stdout()).contains("  192.0.2.2:80 ").contains("  192.0.2.18:80 ");
    }
  }

  @Test
  void metricsShowEachBackendsHealthShareAndEveryLookUpAndPassPromtool() throws Exception {
    KernelBackend backend = KernelBackend.NFTABLES;
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", SECOND, null);
      topology.addVpnHost("dns", DNS, null);
      serve(topology, "backend", 80, "one");
      Process two = serve(topology, "backend2", 80, "two");
      Path hosts = dir.resolve("dns-hosts");
      Files.writeString(hosts, Topology.BACKEND + " game.test\n");
      Path table = dir.resolve("ports.txt");
      Path log = dir.resolve("watch.log");
      try (NameServer dns = NameServer.start(topology, "dns", DNS, hosts, dir)) {
        dns.serve("gateway");
        Files.writeString(
            table,
            "13102 game.test,"
                + SECOND
                + " 80 tcp balance=roundrobin # web\n"
                + "13103 gone.test 80 tcp check=none\n");
        int port = 9479;
        Process watch =
            startWatch(
                topology, backend, table, log, "--no-control", "--http", "127.0.0.1:" + port);
        try {
          awaitServedBy(topology, "one", Duration.ofSeconds(40));
          for (int i = 0; i < 4; i++) {
            client(topology);
          }
          // Each backend's share while both are in rotation, the look-ups of both names.
          String[] text = {""};
          Conditions.await(
              "metrics with each backend's packets and the look-ups",
              Duration.ofSeconds(20),
              () -> {
                text[0] = Scrapes.body(Scrapes.fetch(topology, "gateway", port, "/metrics", "*/*"));
                // The health gauges appear with the first round of checks.
                return text[0].contains(
                        "portfwd_dns_resolutions_total{name=\"gone.test\",result=\"failed\"}")
                    && text[0].contains(
                        "portfwd_backend_up{backend=\"192.0.2.18:80\",external=\"13102/tcp\"} 1.0")
                    && Pattern.compile(
                            "portfwd_forward_packets_total\\{backend=\"192.0.2.18:80\","
                                + "[^}]*\\} [1-9]")
                        .matcher(text[0])
                        .find();
              });
          assertThat(text[0])
              .contains("portfwd_backend_up{backend=\"192.0.2.18:80\",external=\"13102/tcp\"} 1.0")
              .containsPattern(
                  "portfwd_dns_resolutions_total\\{name=\"game.test\",result=\"ok\"} [1-9]")
              .containsPattern(
                  "portfwd_forward_packets_total\\{backend=\"192.0.2.2:80\",description=\"web\","
                      + "external=\"13102/tcp\"} [1-9]");
          Scrapes.promtoolAccepts(dir, text[0]);

          stop(two);
          Conditions.await(
              "the second backend's health falls to 0",
              Duration.ofSeconds(20),
              () -> {
                text[0] = Scrapes.body(Scrapes.fetch(topology, "gateway", port, "/metrics", "*/*"));
                return text[0].contains(
                    "portfwd_backend_up{backend=\"192.0.2.18:80\",external=\"13102/tcp\"} 0.0");
              });
          System.out.println(text[0]);
          assertThat(text[0])
              .contains("portfwd_backend_up{backend=\"192.0.2.2:80\",external=\"13102/tcp\"} 1.0");
          Scrapes.promtoolAccepts(dir, text[0]);
        } finally {
          stopWatch(watch, log);
        }
      }
    }
  }

  /** A TCP server answering {@code TAG PEER}; the process, to stop it. */
  private static Process serve(Topology topology, String role, int port, String tag) {
    Process server =
        topology.spawn(
            role,
            "socat",
            "TCP4-LISTEN:" + port + ",fork,reuseaddr",
            "SYSTEM:echo " + tag + " $SOCAT_PEERADDR");
    topology.awaitListening(role, "tcp", port, Duration.ofSeconds(5));
    return server;
  }

  /** A TCP server that greets with {@code TAG PEER}, then echoes every line. */
  private static Process echo(Topology topology, String role, int port, String tag) {
    Process server =
        topology.spawn(
            role,
            "socat",
            "TCP4-LISTEN:" + port + ",fork,reuseaddr",
            "SYSTEM:echo " + tag + " $SOCAT_PEERADDR; cat");
    topology.awaitListening(role, "tcp", port, Duration.ofSeconds(5));
    return server;
  }
}
