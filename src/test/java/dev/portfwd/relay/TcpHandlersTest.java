package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import dev.portfwd.table.TableParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The backend relay handler without sockets: one EmbeddedChannel per side. */
class TcpHandlersTest {

  private final RelayCounters counters = new RelayCounters();
  private final Route route =
      RelayPlan.routes(TableParser.parse("t", "13102 192.0.2.2 80 tcp\n").table(), counters)
          .values()
          .iterator()
          .next();

  @Test
  void copiesBackendDataToTheClientAndCountsIt() {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend = new EmbeddedChannel(new TcpBackendHandler(client, route));
    backend.writeInbound(Unpooled.copiedBuffer("reply", StandardCharsets.US_ASCII));
    ByteBuf out = client.readOutbound();
    try {
      assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("reply");
    } finally {
      out.release();
    }
    assertThat(counters.snapshot())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.protocol()).isEqualTo(Protocol.TCP);
              assertThat(s.bytesToClient()).isEqualTo(5);
            });
  }

  /**
   * A backend channel relaying to {@code client}, without auto-read, counting its read requests.
   */
  private EmbeddedChannel backendCountingReads(EmbeddedChannel client, AtomicInteger reads) {
    EmbeddedChannel backend =
        new EmbeddedChannel(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void read(ChannelHandlerContext ctx) {
                reads.incrementAndGet();
              }
            },
            new TcpBackendHandler(client, route));
    backend.config().setAutoRead(false);
    return backend;
  }

  @Test
  void readsTheNextChunkOnlyAfterTheClientTookThePrevious() {
    EmbeddedChannel client = new EmbeddedChannel();
    AtomicInteger reads = new AtomicInteger();
    EmbeddedChannel backend = backendCountingReads(client, reads);
    int before = reads.get();
    // A client whose write never completes: the handler must not ask the backend for more.
    client
        .pipeline()
        .addFirst(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
              }
            });
    backend.writeInbound(Unpooled.copiedBuffer("a", StandardCharsets.US_ASCII));
    assertThat(reads.get()).isEqualTo(before);
  }

  @Test
  void readsAgainOnceTheWriteSucceeded() {
    EmbeddedChannel client = new EmbeddedChannel();
    AtomicInteger reads = new AtomicInteger();
    EmbeddedChannel backend = backendCountingReads(client, reads);
    int before = reads.get();
    backend.writeInbound(Unpooled.copiedBuffer("a", StandardCharsets.US_ASCII));
    assertThat(reads.get()).isEqualTo(before + 1);
    ((ByteBuf) client.readOutbound()).release();
  }

  @Test
  void closesTheClientWhenTheBackendCloses() {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend = new EmbeddedChannel(new TcpBackendHandler(client, route));
    backend.close();
    client.runPendingTasks();
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void endsAClientThatCannotHalfCloseWhenTheBackendSendsFin() {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend = new EmbeddedChannel(new TcpBackendHandler(client, route));
    backend.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    client.runPendingTasks();
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void countsBackendErrorsWithoutStackTraces() {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend = new EmbeddedChannel(new TcpBackendHandler(client, route));
    backend.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    assertThat(backend.isOpen()).isFalse();
    assertThat(counters.snapshot().get(0).errors()).isEqualTo(1);
    assertThat(Pipes.expected(new IOException("x"))).isEqualTo("x");
    assertThat(Pipes.expected(new IllegalStateException("bug"))).isNull();
  }
}
