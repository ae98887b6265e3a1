package dev.portfwd.e2e;

import static dev.portfwd.e2e.NftForwardingIT.ok;
import static dev.portfwd.e2e.NftForwardingIT.portfwd;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** portfwd next to other tools' rules, at scale, and as a user without root. */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NftCoexistenceIT {

  @TempDir Path dir;

  /** Other tools' rules: a Docker-like iptables-nft NAT chain and a hand-written nft table. */
  static void installForeignRules(Topology topology) {
    topology.sh(
        "gateway",
        String.join(
            " && ",
            "iptables -t nat -N DOCKER",
            "iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
            "iptables -t nat -A DOCKER -p tcp --dport 9999 -j DNAT --to-destination 192.0.2.2:80",
            "iptables -t nat -A POSTROUTING -s 172.17.0.0/16 -j MASQUERADE",
            "iptables -A FORWARD -o wan -j ACCEPT",
            "nft add table inet other",
            "nft 'add chain inet other input { type filter hook input priority 0; policy accept; }'",
            "nft add rule inet other input tcp dport 22 counter accept comment '\"ssh\"'"));
  }

  /** Everything but portfwd's own table, as text; iptables-save's dated comment lines dropped. */
  static String foreignState(Topology topology) {
    String iptables =
        topology
            .exec("gateway", "iptables-save")
            .stdout()
            .lines()
            .filter(l -> !l.startsWith("#"))
            .collect(Collectors.joining("\n"));
    String other = topology.exec("gateway", "nft", "list", "table", "inet", "other").stdout();
    return iptables + "\n" + other;
  }

  @Test
  void foreignRulesAreByteForByteTheSameAfterApplyAndRemove() throws Exception {
    try (Topology topology = Topology.reference()) {
      installForeignRules(topology);
      String before = foreignState(topology);
      String rulesetBefore = topology.exec("gateway", "nft", "list", "ruleset").stdout();
      Path table = dir.resolve("t.txt");
      // Descriptions that would end the comment and delete the other table if they reached nft raw.
      Files.writeString(
          table,
          """
          13102 192.0.2.2 80 # "}; delete table inet other; { \\" ;; é 🚀
          9999 192.0.2.3 80 tcp # ends with a backslash \\
          """);
      ok(portfwd(topology, "apply", table.toString()));
      assertThat(foreignState(topology)).isEqualTo(before);
      assertThat(ok(portfwd(topology, "status")).stdout())
          .contains("'}; delete table inet other; { \\' ;; é 🚀");
      ok(portfwd(topology, "apply", table.toString()));
      assertThat(foreignState(topology)).isEqualTo(before);
      ok(portfwd(topology, "remove"));
      assertThat(foreignState(topology)).isEqualTo(before);
      assertThat(topology.exec("gateway", "nft", "list", "ruleset").stdout())
          .isEqualTo(rulesetBefore);
    }
  }

  @Test
  void tenThousandForwardsApplyAndTheLastOneCarriesTraffic() throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      Path table = dir.resolve("10k.txt");
      Files.writeString(
          table,
          IntStream.range(0, 10_000)
              .mapToObj(i -> (20000 + i) + " 192.0.2.2 80 tcp # forward " + i + "\n")
              .collect(Collectors.joining()));
      long start = System.nanoTime();
      CommandResult apply = ok(portfwd(topology, "apply", table.toString()));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(apply.stdout()).contains("nftables: 10000 to add");
      assertThat(millis).as("apply of 10,000 forwards, JVM start included").isLessThan(20_000);
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 29999))
          .isEqualTo("web 192.0.2.1");
      assertThat(ok(portfwd(topology, "plan", table.toString())).stdout()).contains("no changes");
    }
  }

  @Test
  void changedUdpForwardDropsStaleConntrackEntriesSoTheSameFlowMoves() throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", "192.0.2.3", null);
      Traffic.udpServer(topology, "backend", 13111, "old");
      Traffic.udpServer(topology, "backend2", 13111, "new");
      Path table = dir.resolve("t.txt");
      Files.writeString(table, "13111 192.0.2.2 13111 udp\n");
      ok(portfwd(topology, "apply", table.toString()));
      assertThat(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13111, 40000))
          .isEqualTo("old 192.0.2.1");
      String before = topology.exec("gateway", "conntrack", "-L").stdout();
      Files.writeString(table, "13111 192.0.2.3 13111 udp\n");
      CommandResult change = ok(portfwd(topology, "apply", table.toString()));
      String after = topology.exec("gateway", "conntrack", "-L").stdout();
      assertThat(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13111, 40000))
          .as(
              "conntrack before apply:%n%s%napply:%n%s%s%nconntrack after apply:%n%s%nnow:%n%s",
              before,
              change.stdout(),
              change.stderr(),
              after,
              topology.exec("gateway", "conntrack", "-L").stdout())
          .isEqualTo("new 192.0.2.1");
    }
  }

  @Test
  void withoutRootEveryKernelCommandStopsWithOneLineAndExitOne() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path table = dir.resolve("t.txt");
      Files.writeString(table, "13102 192.0.2.2 80\n");
      table.toFile().setReadable(true, false);
      dir.toFile().setExecutable(true, false);
      for (String[] args :
          List.of(
              new String[] {"apply", table.toString()},
              new String[] {"plan", table.toString()},
              new String[] {"status"},
              new String[] {"remove"})) {
        List<String> argv =
            new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        argv.addAll(PortfwdJar.command(args));
        CommandResult result = topology.runner("gateway").run(argv);
        assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(1);
        assertThat(result.stderr().strip())
            .isEqualTo(
                "portfwd: changing or reading kernel forwarding needs root; run it with sudo");
      }
      assertThat(topology.exec("gateway", "nft", "list", "ruleset").stdout()).isBlank();
    }
  }
}
