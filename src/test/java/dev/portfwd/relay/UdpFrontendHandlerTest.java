package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import dev.portfwd.table.TableParser;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class UdpFrontendHandlerTest {

  private static final InetSocketAddress LISTENING = new InetSocketAddress("203.0.113.1", 53);

  private final RelayCounters counters = new RelayCounters();
  private final RateLimitedLog log = new RateLimitedLog(Logger.getLogger(getClass().getName()));

  private Listener listener(String line) {
    Route route =
        RelayPlan.routes(TableParser.parse("t", line + "\n").table(), counters)
            .values()
            .iterator()
            .next();
    return new Listener(new ListenerKey(Protocol.UDP, Optional.empty(), 53), route);
  }

  private static DatagramPacket datagram(String client, int port) {
    return new DatagramPacket(
        Unpooled.wrappedBuffer(new byte[] {1, 2, 3}),
        LISTENING,
        new InetSocketAddress(client, port));
  }

  @Test
  void dropsDatagramsFromSourcesOutsideFrom() {
    Listener listener = listener("53 192.0.2.2 53 udp from=198.51.100.0/24");
    EmbeddedChannel listening =
        new EmbeddedChannel(
            new UdpFrontendHandler(listener, Transport.nio(), RelayOptions.defaults(), log));
    DatagramPacket packet = datagram("203.0.113.10", 40000);
    listening.writeInbound(packet);
    assertThat(packet.refCnt()).as("released, not forwarded").isZero();
    assertThat((Object) listening.readOutbound()).isNull();
    assertThat(counters.snapshot().get(0).refused()).isEqualTo(1);
    assertThat(counters.snapshot().get(0).total()).isZero();
  }

  @Test
  void keepsNoSessionWhoseSocketCannotBeMade() {
    UdpFrontendHandler handler =
        new UdpFrontendHandler(
            listener("53 192.0.2.2 53 udp"),
            EmbeddedSockets.transport(EmbeddedSockets.NoFileDescriptors.class),
            RelayOptions.defaults(),
            log);
    EmbeddedChannel listening = new EmbeddedChannel(handler);
    DatagramPacket first = datagram("203.0.113.10", 40000);
    listening.writeInbound(first);
    assertThat(first.refCnt()).isZero();
    assertThat(handler.sessionCount()).as("no session holds the client or a slot").isZero();
    // The client's next datagram tries again instead of going to a session that never works.
    listening.writeInbound(datagram("203.0.113.10", 40000));
    ForwardCounters.Snapshot udp = counters.snapshot().get(0);
    assertThat(udp.errors()).isEqualTo(2);
    assertThat(udp.active()).isZero();
    listening.checkException();
  }
}
