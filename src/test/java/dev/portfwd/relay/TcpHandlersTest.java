package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.portfwd.model.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.Errors;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The backend relay handler without sockets: one EmbeddedChannel per side. */
class TcpHandlersTest {

  private final RelayCounters counters = new RelayCounters();
  private final Route route = LineRoutes.of("13102 192.0.2.2 80 tcp", counters);
  private final RateLimitedLog log = new RateLimitedLog(Logger.getLogger(getClass().getName()));
  private final ConnectionFailure failure = new ConnectionFailure(route, log);

  @Test
  void copiesBackendDataToTheClientAndCountsIt() {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend =
        new EmbeddedChannel(new TcpBackendHandler(client, route, failure, null));
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
            new TcpBackendHandler(client, route, failure, null));
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
    EmbeddedChannel backend =
        new EmbeddedChannel(new TcpBackendHandler(client, route, failure, null));
    backend.close();
    client.runPendingTasks();
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void endsAClientThatCannotHalfCloseWhenTheBackendSendsFin() {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend =
        new EmbeddedChannel(new TcpBackendHandler(client, route, failure, null));
    backend.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    client.runPendingTasks();
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void countsBackendErrorsWithoutStackTraces() {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend =
        new EmbeddedChannel(new TcpBackendHandler(client, route, failure, null));
    backend.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    assertThat(backend.isOpen()).isFalse();
    assertThat(counters.snapshot().get(0).errors()).isEqualTo(1);
    assertThat(Pipes.expected(new IOException("x"))).isEqualTo("x");
    assertThat(Pipes.expected(new IllegalStateException("bug"))).isNull();
  }

  @Test
  void countsAFailureOnceWhateverFollowsFromIt() {
    EmbeddedChannel client = new EmbeddedChannel();
    EmbeddedChannel backend =
        new EmbeddedChannel(new TcpBackendHandler(client, route, failure, null));
    backend.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    failure.failed(() -> "client 203.0.113.10:40000", new IOException("Broken pipe"));
    assertThat(counters.snapshot().get(0).errors()).isEqualTo(1);
  }

  @Test
  void tellsAPeersResetFromOtherErrorsOnBothTransports() {
    Epoll.ensureAvailability(); // NativeIoException's errno constants come from the library
    assertThat(
            Pipes.isReset(new Errors.NativeIoException("read", Errors.ERRNO_ECONNRESET_NEGATIVE)))
        .isTrue();
    assertThat(Pipes.isReset(new Errors.NativeIoException("read", Errors.ERRNO_EPIPE_NEGATIVE)))
        .isFalse();
    assertThat(Pipes.isReset(new java.net.SocketException("Connection reset"))).isTrue();
    assertThat(Pipes.isReset(new IOException("Connection reset by peer"))).isTrue();
    assertThat(Pipes.isReset(new IOException("Broken pipe"))).isFalse();
    assertThat(Pipes.isReset(new IllegalStateException("Connection reset"))).isFalse();
  }

  @Test
  void closeOnFlushLeavesAChannelThatNeverRegisteredAlone() {
    // What Netty hands back when socket() fails: a channel with no event loop.
    EmbeddedChannel neverRegistered = new EmbeddedChannel(false, false);
    assertThatCode(() -> Pipes.closeOnFlush(neverRegistered)).doesNotThrowAnyException();
  }

  @Test
  void countsABackendSocketThatCannotBeMadeOnceAndClosesTheClient() throws Exception {
    EmbeddedSockets.Peer client =
        new EmbeddedSockets.Peer(
            new InetSocketAddress("203.0.113.10", 40000),
            new InetSocketAddress("203.0.113.1", 13102),
            new TcpFrontendHandler(
                route,
                new ReflectiveChannelFactory<>(EmbeddedSockets.NoFileDescriptors.class),
                RelayOptions.defaults(),
                null,
                log));
    // The failure arrives from Netty's global executor.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (client.isOpen() && System.nanoTime() < deadline) {
      client.runPendingTasks();
      Thread.sleep(10);
    }
    assertThat(client.isOpen()).isFalse();
    assertThat(counters.snapshot().get(0).errors()).isEqualTo(1);
    assertThat(
            Pipes.expected(
                new ChannelException(
                    new IOException(
                        "newSocketStream(..) failed with error(-24): Too many open files"))))
        .isEqualTo("too many open files");
    client.checkException();
  }

  @Test
  void pausesAcceptingAfterAnAcceptErrorAndSaysSoOnce() {
    EmbeddedChannel server =
        new EmbeddedChannel(
            new TcpListenerHandler(new ListenerKey(Protocol.TCP, Optional.empty(), 13102), log));
    server.freezeTime();
    IOException emfile = new IOException("accept(..) failed: Too many open files");
    server.pipeline().fireExceptionCaught(emfile);
    assertThat(server.config().isAutoRead()).isFalse();
    server.pipeline().fireExceptionCaught(emfile);
    server.checkException(); // nothing reached the end of the pipeline (Netty's stack trace)
    server.advanceTimeBy(TcpListenerHandler.PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    server.runScheduledPendingTasks();
    assertThat(server.config().isAutoRead()).isTrue();
  }
}
