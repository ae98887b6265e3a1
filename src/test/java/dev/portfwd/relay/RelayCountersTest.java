package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Forward;
import dev.portfwd.model.Protocol;
import dev.portfwd.table.TableParser;
import org.junit.jupiter.api.Test;

class RelayCountersTest {

  private static Forward forward(String text) {
    return TableParser.parse("t", text).table().forwards().get(0);
  }

  @Test
  void keepsCountingWhenAForwardMovesToAnotherLine() {
    RelayCounters counters = new RelayCounters();
    counters.of(forward("13102 192.0.2.2 80\n"), Protocol.TCP).opened();
    counters.of(forward("\n\n13102 192.0.2.2 80\n"), Protocol.TCP).opened();
    assertThat(counters.snapshot())
        .singleElement()
        .satisfies(s -> assertThat(s.total()).isEqualTo(2));
  }

  @Test
  void printsOneLinePerForwardAndProtocol() {
    RelayCounters counters = new RelayCounters();
    ForwardCounters udp = counters.of(forward("53 192.0.2.2 53\n"), Protocol.UDP);
    ForwardCounters tcp = counters.of(forward("53 192.0.2.2 53\n"), Protocol.TCP);
    tcp.opened();
    tcp.toBackend(10);
    tcp.toClient(20);
    udp.refused();
    assertThat(counters.snapshot().stream().map(ForwardCounters.Snapshot::line))
        .containsExactly(
            "tcp 53 active=1 total=1 bytes_in=10 bytes_out=20 refused=0 errors=0 dropped=0",
            "udp 53 active=0 total=0 bytes_in=0 bytes_out=0 refused=1 errors=0 dropped=0");
    assertThat(counters.activeTcp()).isEqualTo(1);
  }
}
