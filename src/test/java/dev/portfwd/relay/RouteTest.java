package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class RouteTest {

  private static Route route(String line) {
    return LineRoutes.of(line, new RelayCounters());
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void allowsEveryoneWithoutFrom() throws Exception {
    assertThat(route("80 192.0.2.2 80 tcp").allows(ip("203.0.113.10"))).isTrue();
  }

  @Test
  void allowsOnlySourcesInsideFrom() throws Exception {
    Route route = route("80 192.0.2.2 80 tcp from=203.0.113.0/28,2001:db8:1::/64");
    assertThat(route.allows(ip("203.0.113.10"))).isTrue();
    assertThat(route.allows(ip("203.0.113.20"))).isFalse();
    assertThat(route.allows(ip("2001:db8:1::10"))).isTrue();
    assertThat(route.allows(ip("2001:db8:2::10"))).isFalse();
  }

  @Test
  void seesIpv4MappedClientsAsIpv4() throws Exception {
    Route route = route("80 192.0.2.2 80 tcp from=203.0.113.0/28");
    byte[] mapped = {
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 203, 0, 113, 10
    };
    InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
    assertThat(route.allows(v6)).isTrue();
  }

  @Test
  void describesItselfByLineAndSides() {
    assertThat(route("13102 192.0.2.2 80 tcp").describe())
        .isEqualTo("line 1 (13102 -> 192.0.2.2:80)");
  }
}
