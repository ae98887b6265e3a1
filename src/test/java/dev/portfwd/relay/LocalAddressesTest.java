package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class LocalAddressesTest {

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void answersFromUnicastAddressesButLeavesLinkLocalOnesToTheWildcard() throws Exception {
    assertThat(LocalAddresses.answerable(ip("203.0.113.2"))).isTrue();
    assertThat(LocalAddresses.answerable(ip("2001:db8:1::2"))).isTrue();
    assertThat(LocalAddresses.answerable(ip("127.0.0.1"))).isTrue();
    assertThat(LocalAddresses.answerable(ip("fe80::1"))).isFalse();
    assertThat(LocalAddresses.answerable(ip("169.254.0.9"))).isFalse();
    assertThat(LocalAddresses.answerable(ip("::"))).isFalse();
  }

  @Test
  void anIpv4WildcardHearsOnlyIpv4() throws Exception {
    assertThat(LocalAddresses.heardBy(ip("::"), ip("203.0.113.2"))).isTrue();
    assertThat(LocalAddresses.heardBy(ip("::"), ip("2001:db8:1::2"))).isTrue();
    assertThat(LocalAddresses.heardBy(ip("0.0.0.0"), ip("203.0.113.2"))).isTrue();
    assertThat(LocalAddresses.heardBy(ip("0.0.0.0"), ip("2001:db8:1::2"))).isFalse();
  }

  @Test
  void findsThisHostsLoopbackWithoutScope() throws Exception {
    assertThat(LocalAddresses.ofThisHost()).contains(ip("127.0.0.1"));
    assertThat(LocalAddresses.ofThisHost())
        .allSatisfy(address -> assertThat(address.getHostAddress()).doesNotContain("%"));
  }
}
