package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class UdpFrontendHandlerTest {

  private static final InetSocketAddress LISTENING = new InetSocketAddress("203.0.113.1", 53);

  private final RelayCounters counters = new RelayCounters();
  private final RateLimitedLog log = new RateLimitedLog(Logger.getLogger(getClass().getName()));

  private Listener listener(String line) {
    return new Listener(
        new ListenerKey(Protocol.UDP, Optional.empty(), 53), LineRoutes.of(line, counters));
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

  private static RelayOptions maxUdpSessions(int max, int perSource) {
    RelayOptions d = RelayOptions.defaults();
    return new RelayOptions(
        d.connectTimeout(),
        d.idleTimeout(),
        d.udpIdleTimeout(),
        max,
        perSource,
        d.maxConnections(),
        d.maxConnectionsPerSource(),
        d.udpReceiveBuffer(),
        d.verbose());
  }

  /** A handler whose sessions' sockets are EmbeddedChannels that take every datagram. */
  private UdpFrontendHandler withBackends(Listener listener, RelayOptions options) {
    return new UdpFrontendHandler(
        listener, EmbeddedSockets.transport(EmbeddedSockets.Backend.class), options, log);
  }

  /** A listening channel whose sessions' sockets are EmbeddedChannels on its own loop. */
  private static EmbeddedChannel listening(UdpFrontendHandler handler, Listener listener) {
    EmbeddedChannel listening = new EmbeddedChannel(handler);
    listener.bound(listening);
    return listening;
  }

  @Test
  void capsTheSessionsOfOneSource() {
    Listener listener = listener("53 192.0.2.2 53 udp");
    UdpFrontendHandler handler = withBackends(listener, maxUdpSessions(10_000, 2));
    EmbeddedChannel listening = listening(handler, listener);
    for (int port = 40000; port < 40005; port++) {
      listening.writeInbound(datagram("203.0.113.10", port));
    }
    listening.writeInbound(datagram("203.0.113.11", 40000));
    assertThat(handler.sessionCount()).isEqualTo(3);
    ForwardCounters.Snapshot udp = counters.snapshot().get(0);
    assertThat(udp.total()).isEqualTo(3);
    assertThat(udp.refused()).isEqualTo(3);
    assertThat(udp.bytesToBackend()).isEqualTo(9);
    listening.checkException();
  }

  @Test
  void looksAtTheDropsOfItsSessionsASliceAtATime() {
    Listener listener = listener("53 192.0.2.2 53 udp");
    UdpFrontendHandler handler = withBackends(listener, RelayOptions.defaults());
    EmbeddedChannel listening = listening(handler, listener);
    listener.udp(listening.eventLoop(), handler);
    for (int port = 40000; port < 40000 + 2 * UdpFrontendHandler.DROPS_SLICE + 1; port++) {
      listening.writeInbound(datagram("203.0.113.10", port));
    }
    Promise<Void> done = listening.eventLoop().newPromise();
    handler.countDrops(done);
    assertThat(done.isDone()).as("the first slice, then the loop's other work").isFalse();
    for (int turn = 0; turn < 10 && !done.isDone(); turn++) {
      listening.runScheduledPendingTasks();
    }
    assertThat(done.isSuccess()).as("every session looked at").isTrue();
    listening.checkException();
  }

  @Test
  void endsTheSessionsAReloadNoLongerAllows() {
    Listener listener = listener("53 192.0.2.2 53 udp from=203.0.113.0/24");
    UdpFrontendHandler handler = withBackends(listener, RelayOptions.defaults());
    EmbeddedChannel listening = listening(handler, listener);
    listening.writeInbound(datagram("203.0.113.10", 40000));
    listening.writeInbound(datagram("203.0.113.11", 40000));
    assertThat(handler.sessionCount()).isEqualTo(2);
    Listener reloaded = listener("53 192.0.2.2 53 udp from=203.0.113.10/32");
    listener.route(reloaded.route());
    listening.runPendingTasks();
    assertThat(handler.sessionCount()).as("203.0.113.11's session ended").isEqualTo(1);
    assertThat(counters.snapshot().get(0).active()).isEqualTo(1);
    listening.writeInbound(datagram("203.0.113.11", 40000));
    assertThat(handler.sessionCount()).as("and its datagrams start none").isEqualTo(1);
    listening.checkException();
  }

  @Test
  void logsOneLineForManyRefusedDatagrams() {
    LogCapture capture = new LogCapture();
    // The relay's package logger: the handler's own lines and the rate-limited ones both reach it.
    Logger relayLogger = Logger.getLogger(UdpFrontendHandler.class.getPackageName());
    relayLogger.addHandler(capture);
    try {
      Listener listener = listener("53 192.0.2.2 53 udp");
      EmbeddedChannel listening = listening(withBackends(listener, maxUdpSessions(1, 0)), listener);
      for (int port = 40000; port < 40100; port++) {
        listening.writeInbound(datagram("203.0.113.10", port));
      }
      assertThat(counters.snapshot().get(0).refused()).isEqualTo(99);
      assertThat(capture.messages().stream().filter(line -> line.startsWith("dropped datagram")))
          .singleElement()
          .asString()
          .endsWith("1 UDP sessions already (--max-udp-sessions 1)");
    } finally {
      relayLogger.removeHandler(capture);
    }
  }
}
