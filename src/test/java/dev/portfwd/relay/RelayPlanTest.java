package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import dev.portfwd.table.TableParser;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RelayPlanTest {

  private static Map<ListenerKey, Route> plan(String table) {
    var result = TableParser.parse("t", table);
    assertThat(result.errors()).isEmpty();
    return RelayPlan.routes(result.table(), new RelayCounters());
  }

  @Test
  void opensOneSocketPerProtocolAndPort() {
    Map<ListenerKey, Route> routes = plan("13102 192.0.2.2 80\n");
    assertThat(routes.keySet())
        .containsExactly(
            new ListenerKey(Protocol.TCP, Optional.empty(), 13102),
            new ListenerKey(Protocol.UDP, Optional.empty(), 13102));
    assertThat(routes.values())
        .allSatisfy(r -> assertThat(r.backend()).isEqualTo(new InetSocketAddress("192.0.2.2", 80)));
  }

  @Test
  void mapsShiftedRangesPortByPort() {
    Map<ListenerKey, Route> routes = plan("8000-8002 192.0.2.2 9000-9002 tcp\n");
    assertThat(routes).hasSize(3);
    assertThat(
            routes.get(new ListenerKey(Protocol.TCP, Optional.empty(), 8001)).backend().getPort())
        .isEqualTo(9001);
    assertThat(
            routes.get(new ListenerKey(Protocol.TCP, Optional.empty(), 8002)).backend().getPort())
        .isEqualTo(9002);
  }

  @Test
  void keepsSamePortRanges() {
    Map<ListenerKey, Route> routes = plan("7777-7778 192.0.2.4 RANGE udp\n");
    assertThat(
            routes.get(new ListenerKey(Protocol.UDP, Optional.empty(), 7778)).backend().getPort())
        .isEqualTo(7778);
  }

  @Test
  void listensOnTheNamedAddressOnly() {
    Map<ListenerKey, Route> routes = plan("[2001:db8::1]:443 192.0.2.2 443 tcp\n");
    ListenerKey key = routes.keySet().iterator().next();
    assertThat(key.address()).isPresent();
    assertThat(key.toString()).isEqualTo("tcp [2001:db8::1]:443");
  }

  @Test
  void sharesCountersBetweenThePortsOfOneForward() {
    Map<ListenerKey, Route> routes = plan("8000-8001 192.0.2.2 RANGE tcp\n");
    assertThat(routes.values().stream().map(Route::counters).distinct()).hasSize(1);
  }
}
