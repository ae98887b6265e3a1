package dev.portfwd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.ProcessCommandRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyTest {

  @Test
  void clientReachesGatewayButNotBackendWithoutForwarding() throws Exception {
    String gatewayName;
    try (Topology topology = Topology.reference()) {
      gatewayName = topology.namespace("gateway");
      assertThat(topology.exec("client", "ping", "-c1", "-W1", Topology.GATEWAY_WAN).exitCode())
          .isZero();
      assertThat(topology.exec("backend", "ping", "-c1", "-W1", Topology.GATEWAY_VPN).exitCode())
          .isZero();
      assertThat(
              topology.exec("client", "ping", "-c1", "-W1", "-6", Topology.GATEWAY_WAN6).exitCode())
          .isZero();
      assertThat(topology.exec("gateway", "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip())
          .isEqualTo("0");
      // No route from the client to the VPN side: the gateway does not forward yet.
      assertThat(topology.exec("client", "ping", "-c1", "-W1", Topology.BACKEND).exitCode())
          .isNotZero();
    }
    assertThat(new ProcessCommandRunner().run(List.of("ip", "netns", "list")).stdout())
        .doesNotContain(gatewayName);
  }

  /**
   * A bridge without an address of its own takes the lowest of its ports' and changes it when a
   * host joins; hosts that knew the old one then lose what they send the gateway for tens of
   * seconds (a relay test's first datagram was lost that way).
   */
  @Test
  void hostsJoiningTheWanKeepTheGatewaysAddressForThoseThatKnewIt() throws Exception {
    try (Topology topology = Topology.reference()) {
      assertThat(topology.exec("client", "ping", "-c1", "-W1", Topology.GATEWAY_WAN).exitCode())
          .isZero();
      String before = topology.exec("gateway", "cat", "/sys/class/net/wan/address").stdout();
      for (int i = 0; i < 4; i++) {
        topology.addClient("join" + i, "203.0.113." + (30 + i), null);
      }
      assertThat(topology.exec("gateway", "cat", "/sys/class/net/wan/address").stdout())
          .isEqualTo(before);
      // 3: set by the user, so the bridge never recalculates it from its ports.
      assertThat(
              topology
                  .exec(
                      "gateway",
                      "cat",
                      "/sys/class/net/wan/addr_assign_type",
                      "/sys/class/net/vpn/addr_assign_type")
                  .stdout())
          .isEqualTo("3\n3\n");
      assertThat(topology.exec("client", "ping", "-c1", "-W1", Topology.GATEWAY_WAN).exitCode())
          .isZero();
    }
  }
}
