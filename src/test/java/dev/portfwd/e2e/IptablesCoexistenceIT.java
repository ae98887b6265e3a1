package dev.portfwd.e2e;

import static dev.portfwd.e2e.NftForwardingIT.ok;
import static dev.portfwd.e2e.NftForwardingIT.portfwd;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.testing.KernelBackend;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The iptables backend next to other tools' rules in the same tables, in both flavours: a
 * Docker-like DOCKER chain with its jump and masquerade, and a hand-written FORWARD rule under a
 * FORWARD policy of DROP (Docker's). Also what {@code --backend auto} finds.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class IptablesCoexistenceIT {

  @TempDir Path dir;

  /** Docker's shape, written with the flavour's own iptables so it shares portfwd's tables. */
  static void installDockerLikeRules(Topology topology, KernelBackend backend) {
    String iptables = "iptables" + backend.iptablesSuffix();
    topology.sh(
        "gateway",
        String.join(
            " && ",
            iptables + " -t nat -N DOCKER",
            iptables + " -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
            iptables
                + " -t nat -A DOCKER -p tcp --dport 9999 -j DNAT --to-destination 192.0.2.2:81",
            iptables + " -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o vpn -j MASQUERADE",
            // Docker's own forward works by itself: its accept and its masquerade.
            iptables + " -t nat -A POSTROUTING -d 192.0.2.2 -p tcp --dport 81 -j MASQUERADE",
            iptables + " -A FORWARD -d 192.0.2.2 -p tcp --dport 81 -j ACCEPT",
            iptables + " -A FORWARD -s 192.0.2.2 -p tcp --sport 81 -j ACCEPT",
            iptables
                + " -A FORWARD -s 198.51.100.0/24 -m comment --comment \"hand written\" -j DROP",
            iptables + " -P FORWARD DROP"));
  }

  /** Every table of the flavour without portfwd's lines, counters and dated comments. */
  static String foreignState(Topology topology, KernelBackend backend) {
    return topology
        .exec("gateway", "iptables" + backend.iptablesSuffix() + "-save")
        .stdout()
        .lines()
        .filter(l -> !l.startsWith("#") && !l.contains("PORTFWD"))
        .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[counters]"))
        .collect(Collectors.joining("\n"));
  }

  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"IPTABLES_NFT", "IPTABLES_LEGACY"})
  void dockerLikeRulesAreByteForByteTheSameAfterApplyAndRemove(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      installDockerLikeRules(topology, backend);
      String before = foreignState(topology, backend);
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      Traffic.tcpServer(topology, "backend", 81, "docker", false);
      Path table = dir.resolve("t.txt");
      Files.writeString(table, "13102 192.0.2.2 80 tcp # \"-j ACCEPT\" it's \\\n");

      ok(portfwd(topology, backend, "apply", table.toString()));
      assertThat(foreignState(topology, backend)).isEqualTo(before);
      // Forwarded under Docker's FORWARD policy DROP, and Docker's own forward still works.
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102))
          .isEqualTo("web 192.0.2.1");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 9999))
          .isEqualTo("docker 192.0.2.1");
      assertThat(ok(portfwd(topology, backend, "apply", table.toString())).stdout())
          .contains("no changes");
      assertThat(foreignState(topology, backend)).isEqualTo(before);

      // status and remove find the flavour without being told.
      assertThat(ok(portfwd(topology, "status")).stdout())
          .contains("13102/tcp")
          .contains("\"-j ACCEPT\" it's \\")
          .contains("(iptables)");
      assertThat(ok(portfwd(topology, "remove")).stdout()).contains("removed 1 forward (iptables)");
      assertThat(foreignState(topology, backend)).isEqualTo(before);
      assertThat(backend.installed(topology)).isEmpty();
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 9999))
          .as("Docker's forward after remove")
          .isEqualTo("docker 192.0.2.1");
      assertThat(ok(portfwd(topology, "remove")).stdout()).contains("nothing to remove");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"IPTABLES_NFT", "IPTABLES_LEGACY"})
  void autoKeepsUsingTheIptablesFlavourThatHoldsTheForwards(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      Path table = dir.resolve("t.txt");
      Files.writeString(table, "13102 192.0.2.2 80 tcp\n");
      ok(portfwd(topology, backend, "apply", table.toString()));

      Files.writeString(table, "13102 192.0.2.2 80 tcp\n13103 192.0.2.2 80 tcp\n");
      assertThat(ok(portfwd(topology, "apply", table.toString())).stdout())
          .contains("iptables: 1 to add, 0 to change, 0 to remove");
      assertThat(topology.exec("gateway", "nft", "list", "ruleset").stdout())
          .doesNotContain("table inet portfwd");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13103))
          .isEqualTo("web 192.0.2.1");
      ok(portfwd(topology, "remove"));
      assertThat(backend.installed(topology)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"IPTABLES_NFT", "IPTABLES_LEGACY"})
  void tenThousandForwardsApplyAndTheLastOneCarriesTraffic(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      Path table = dir.resolve("10k.txt");
      Files.writeString(
          table,
          IntStream.range(0, 10_000)
              .mapToObj(i -> (20000 + i) + " 192.0.2.2 80 tcp # forward " + i + "\n")
              .collect(Collectors.joining()));
      assertThat(ok(portfwd(topology, backend, "apply", table.toString())).stdout())
          .contains("iptables: 10000 to add");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 29999))
          .isEqualTo("web 192.0.2.1");
      assertThat(ok(portfwd(topology, backend, "plan", table.toString())).stdout())
          .contains("no changes");
      assertThat(ok(portfwd(topology, "remove")).stdout()).contains("removed 10000 forwards");
      assertThat(backend.installed(topology)).isEmpty();
    }
  }
}
