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
}
