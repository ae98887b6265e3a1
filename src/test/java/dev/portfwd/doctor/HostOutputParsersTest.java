package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parses output captured from iproute2 6.x, ss, sysctl and conntrack 1.4.7 on this machine. */
class HostOutputParsersTest {

  @Test
  void readsAddressesOfIpJsonAddr() {
    String json =
        "[{\"ifindex\":1,\"ifname\":\"lo\",\"flags\":[\"LOOPBACK\",\"UP\",\"LOWER_UP\"],\"addr_info\":["
            + "{\"family\":\"inet\",\"local\":\"127.0.0.1\",\"prefixlen\":8}]},"
            + "{\"ifindex\":3,\"ifname\":\"vpn\",\"flags\":[\"BROADCAST\",\"UP\"],\"addr_info\":["
            + "{\"family\":\"inet\",\"local\":\"192.0.2.1\",\"prefixlen\":24},{\"family\":\"inet6\",\"local\":\"2001:db8:2::1\",\"prefixlen\":64}]},"
            + "{\"ifindex\":4,\"ifname\":\"down0\",\"flags\":[\"BROADCAST\"],\"addr_info\":[]}]";
    List<HostInterface> interfaces = HostOutputParsers.interfaces(json);
    assertThat(interfaces).extracting(HostInterface::name).containsExactly("lo", "vpn", "down0");
    assertThat(interfaces.get(1).addresses())
        .containsExactly(
            new HostInterface.Address(Facts.ip("192.0.2.1"), 24),
            new HostInterface.Address(Facts.ip("2001:db8:2::1"), 64));
    assertThat(interfaces.get(2).up()).isFalse();
  }

  @Test
  void readsARouteAndTheMostSpecificMatchingPrefixOnItsDevice() {
    String get =
        "[{\"dst\":\"198.51.100.5\",\"gateway\":\"192.0.2.254\",\"dev\":\"a0\",\"prefsrc\":\"192.0.2.1\",\"flags\":[],\"uid\":0,\"cache\":[]}]";
    String match =
        "[{\"dst\":\"default\",\"gateway\":\"192.0.2.254\",\"dev\":\"a0\",\"flags\":[]},"
            + "{\"dst\":\"198.51.100.0/24\",\"dev\":\"wan\",\"flags\":[]}]";
    RouteFact route = HostOutputParsers.route(Facts.ip("198.51.100.5"), get, match, "");
    assertThat(route.exists()).isTrue();
    assertThat(route.device()).contains("a0");
    assertThat(route.via()).contains(Facts.ip("192.0.2.254"));
    assertThat(route.source()).contains(Facts.ip("192.0.2.1"));
    assertThat(route.isDefault()).isTrue();
  }

  @Test
  void aFailedRouteGetIsNoRoute() {
    RouteFact route =
        HostOutputParsers.route(
            Facts.ip("192.0.2.2"), null, null, "RTNETLINK answers: Network is unreachable");
    assertThat(route.exists()).isFalse();
    assertThat(route.error()).contains("unreachable");
  }

  @Test
  void readsListeningSocketsWithTheirProcess() {
    String tcp =
        "LISTEN 0      5      0.0.0.0:2222 0.0.0.0:* users:((\"socat\",pid=6115,fd=5))\n"
            + "LISTEN 0      128    [::]:22 [::]:* users:((\"sshd\",pid=812,fd=4))\n"
            + "LISTEN 0      4096   127.0.0.53%lo:53 0.0.0.0:*\n"
            + "LISTEN 0      10     *:8080 *:*\n";
    List<ListeningSocket> listeners = HostOutputParsers.listeners(Protocol.TCP, tcp);
    assertThat(listeners).extracting(ListeningSocket::port).containsExactly(2222, 22, 53, 8080);
    assertThat(listeners.get(0).describe()).isEqualTo("socat (pid 6115)");
    assertThat(listeners.get(1).address()).contains(Facts.ip("::"));
    assertThat(listeners.get(2).isLoopbackOnly()).isTrue();
    assertThat(listeners.get(3).address()).isEmpty();
    assertThat(listeners.get(3).process()).isEqualTo(Optional.empty());
  }

  @Test
  void readsConntrackEntriesOriginalAndReplySides() {
    String text =
        "udp      17 119 src=203.0.113.10 dst=192.0.2.1 sport=40000 dport=13110 [UNREPLIED]"
            + " src=192.0.2.50 dst=203.0.113.10 sport=13110 dport=40000 [ASSURED] mark=0 use=1\n"
            + "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n";
    assertThat(HostOutputParsers.conntrack(text))
        .containsExactly(
            new ConntrackEntry(
                Protocol.UDP,
                Facts.ip("203.0.113.10"),
                Facts.ip("192.0.2.1"),
                40000,
                13110,
                Facts.ip("192.0.2.50"),
                13110,
                false));
  }
}
