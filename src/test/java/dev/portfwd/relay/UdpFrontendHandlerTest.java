package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import dev.portfwd.table.TableParser;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UdpFrontendHandlerTest {

  @Test
  void dropsDatagramsFromSourcesOutsideFrom() {
    RelayCounters counters = new RelayCounters();
    Route route =
        RelayPlan.routes(
                TableParser.parse("t", "53 192.0.2.2 53 udp from=198.51.100.0/24\n").table(),
                counters)
            .values()
            .iterator()
            .next();
    Listener listener = new Listener(new ListenerKey(Protocol.UDP, Optional.empty(), 53), route);
    EmbeddedChannel listening =
        new EmbeddedChannel(
            new UdpFrontendHandler(listener, Transport.nio(), RelayOptions.defaults()));
    DatagramPacket packet =
        new DatagramPacket(
            Unpooled.wrappedBuffer(new byte[] {1, 2, 3}),
            new InetSocketAddress("203.0.113.1", 53),
            new InetSocketAddress("203.0.113.10", 40000));
    listening.writeInbound(packet);
    assertThat(packet.refCnt()).as("released, not forwarded").isZero();
    assertThat((Object) listening.readOutbound()).isNull();
    assertThat(counters.snapshot().get(0).refused()).isEqualTo(1);
    assertThat(counters.snapshot().get(0).total()).isZero();
  }
}
