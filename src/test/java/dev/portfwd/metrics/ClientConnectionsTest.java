package dev.portfwd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ClientConnectionsTest {

  private final ClientConnections connections =
      new ClientConnections(/* perAddress= */ 3, /* total= */ 5, /* tls= */ false);

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void boundsEachAddressAndAllTogetherAndFreesAClosedOnesPlace() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(connections.admit(ip("203.0.113.10"))).isTrue();
    }
    assertThat(connections.admit(ip("203.0.113.10"))).isFalse();
    assertThat(connections.admit(ip("203.0.113.11"))).isTrue();
    assertThat(connections.admit(ip("198.51.100.7"))).isTrue();
    assertThat(connections.admit(ip("198.51.100.8"))).as("all 5 taken").isFalse();
    connections.release(ip("203.0.113.10"));
    assertThat(connections.admit(ip("203.0.113.10"))).isTrue();
  }

  @Test
  void countsAnIpv6ClientByItsSlash64() throws Exception {
    assertThat(connections.admit(ip("2001:db8:5:5::1"))).isTrue();
    assertThat(connections.admit(ip("2001:db8:5:5::2"))).isTrue();
    assertThat(connections.admit(ip("2001:db8:5:5:ffff:ffff:ffff:ffff"))).isTrue();
    assertThat(connections.admit(ip("2001:db8:5:5::4")))
        .as("a fourth address of the same /64")
        .isFalse();
    assertThat(connections.admit(ip("2001:db8:5:6::1"))).as("another /64").isTrue();
    connections.release(ip("2001:db8:5:5::2"));
    assertThat(connections.openFrom(ip("2001:db8:5:5::9"))).isEqualTo(2);
  }
}
