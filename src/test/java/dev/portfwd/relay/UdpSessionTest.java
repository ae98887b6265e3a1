package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** A session's way to the backend, on an EmbeddedChannel standing in for its socket. */
class UdpSessionTest {

  private final RelayCounters counters = new RelayCounters();
  private final Route route = LineRoutes.of("53 192.0.2.2 53 udp", counters);

  /** A socket whose kernel buffer is full: a flush leaves everything queued. */
  private static final class FullSocket extends EmbeddedChannel {
    @Override
    protected void doWrite(ChannelOutboundBuffer in) {}
  }

  private static ByteBuf datagram(int size) {
    return Unpooled.directBuffer(size, size).writeZero(size);
  }

  @Test
  void dropsAndCountsDatagramsWhileItsSocketIsNotWritable() {
    FullSocket backend = new FullSocket();
    // Netty counts each queued message as its size plus 96 bytes: room for two of ten bytes.
    backend.config().setWriteBufferWaterMark(new WriteBufferWaterMark(100, 150));
    UdpSession session = new UdpSession(backend.newSucceededFuture(), null, route.counters());
    assertThat(session.forward(datagram(10))).isTrue();
    assertThat(session.forward(datagram(10))).as("still under the high watermark").isTrue();
    assertThat(backend.isWritable()).isFalse();
    ByteBuf third = datagram(10);
    assertThat(session.forward(third)).isFalse();
    assertThat(third.refCnt()).as("released").isZero();
    session.forward(datagram(10));
    assertThat(counters.snapshot().get(0).dropped()).isEqualTo(2);
    assertThat(counters.snapshot().get(0).bytesToBackend())
        .as("only what was queued")
        .isEqualTo(20);
    backend.close();
  }

  @Test
  void dropsNothingWhileTheSocketTakesWhatIsQueued() {
    EmbeddedChannel backend = new EmbeddedChannel();
    backend.config().setWriteBufferWaterMark(new WriteBufferWaterMark(100, 150));
    UdpSession session = new UdpSession(backend.newSucceededFuture(), null, route.counters());
    // One read burst larger than the watermark: the queue is flushed instead of dropped.
    for (int i = 0; i < 10; i++) {
      session.forward(datagram(10));
    }
    session.flush();
    assertThat(counters.snapshot().get(0).dropped()).isZero();
    assertThat(backend.outboundMessages()).hasSize(10);
    backend.finishAndReleaseAll();
  }
}
