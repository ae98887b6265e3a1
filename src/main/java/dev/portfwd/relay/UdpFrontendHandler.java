package dev.portfwd.relay;

import dev.portfwd.model.ProxyProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listening side of a UDP forward. Each client address gets a session: its own connected socket
 * to the backend, so the backend's replies can be told apart and sent back to the right client from
 * the listening socket. Sessions live on the listener's event loop, so the session table needs no
 * locks; they end after the idle timeout, and at most {@code maxUdpSessions} exist at once, at most
 * {@code maxUdpSessionsPerSource} of them from one client address (datagrams of further clients are
 * dropped and counted as refused; their log lines are rate-limited). When a reload changes the
 * route's {@code from=}, the sessions of clients it no longer allows end.
 *
 * <p>One handler serves all the sockets of its {@link Listener} (a line without an address has one
 * per local address), all on one event loop; a session belongs to the socket that heard the client,
 * and its replies leave from that socket.
 */
@ChannelHandler.Sharable
final class UdpFrontendHandler extends SimpleChannelInboundHandler<DatagramPacket> {

  private static final Logger LOG = Logger.getLogger(UdpFrontendHandler.class.getPackageName());

  // Sessions whose drops one turn of the event loop reads (what a look costs: bench/RESULTS.md).
  static final int DROPS_SLICE = 256;

  private final Listener listener;
  private final Transport transport;
  private final RelayOptions options;
  private final RateLimitedLog rateLimitedLog;
  private final Map<Endpoints, UdpSession> sessions = new HashMap<>();
  private final Map<InetAddress, Integer> perSource = new HashMap<>();
  private final Set<UdpSession> unflushed = new LinkedHashSet<>();
  private final Set<Channel> listening = new LinkedHashSet<>();

  UdpFrontendHandler(
      Listener listener, Transport transport, RelayOptions options, RateLimitedLog rateLimitedLog) {
    this.listener = listener;
    this.transport = transport;
    this.options = options;
    this.rateLimitedLog = rateLimitedLog;
  }

  /** A session's key: the listening socket that heard the client, and the client. */
  private record Endpoints(Channel listening, InetSocketAddress client) {}

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    InetSocketAddress sender = packet.sender();
    UdpSession session = sessions.get(new Endpoints(ctx.channel(), sender));
    if (session == null) {
      Route route = listener.route();
      InetAddress source = DualStackAddresses.unmap(sender).getAddress();
      if (!route.allows(source)) {
        refuse(sender, route, "from", "not allowed by from=");
        return;
      }
      if (sessions.size() >= options.maxUdpSessions()) {
        refuse(
            sender,
            route,
            "--max-udp-sessions",
            sessions.size()
                + " UDP sessions already (--max-udp-sessions "
                + options.maxUdpSessions()
                + ")");
        return;
      }
      int fromSource = perSource.getOrDefault(DualStackAddresses.sourceKey(source), 0);
      if (options.maxUdpSessionsPerSource() > 0
          && fromSource >= options.maxUdpSessionsPerSource()) {
        refuse(
            sender,
            route,
            "--max-udp-sessions-per-source",
            fromSource
                + " UDP sessions from this address (or its IPv6 /64) already"
                + " (--max-udp-sessions-per-source "
                + options.maxUdpSessionsPerSource()
                + ")");
        return;
      }
      session = open(ctx.channel(), sender, packet.recipient(), route);
      if (session == null) {
        return;
      }
    }
    if (session.forward(packet.content().retain())) {
      unflushed.add(session);
    }
  }

  /** A datagram that starts no session: counted as refused, logged at a bounded rate. */
  private void refuse(InetSocketAddress sender, Route route, String kind, String reason) {
    route.counters().refused();
    rateLimitedLog.log(
        Level.INFO,
        "udp refused " + kind + " " + route.describe(),
        "dropped datagram from "
            + DualStackAddresses.format(sender)
            + " on "
            + route.describe()
            + ": "
            + reason);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof Listener.RouteChanged changed) {
      endDisallowed(changed.route());
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  /** Ends the sessions of clients that {@code route}'s {@code from=} does not allow (a reload). */
  private void endDisallowed(Route route) {
    List<UdpSession> disallowed = new ArrayList<>();
    sessions.forEach(
        (endpoints, session) -> {
          if (!route.allows(DualStackAddresses.unmap(endpoints.client()).getAddress())) {
            disallowed.add(session);
          }
        });
    if (!disallowed.isEmpty()) {
      disallowed.forEach(UdpSession::close);
      LOG.info(
          "ended "
              + disallowed.size()
              + " UDP sessions on "
              + route.describe()
              + " whose clients from= no longer allows");
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    for (UdpSession session : unflushed) {
      session.flush();
    }
    unflushed.clear();
    ctx.fireChannelReadComplete();
  }

  private UdpSession open(
      Channel listening, InetSocketAddress client, InetSocketAddress recipient, Route route) {
    ByteBuf header =
        route.forward().proxyProtocol() == ProxyProtocol.V2
            ? ProxyHeaders.forUdp(client, localOf(listening, client, recipient))
            : null;
    long idle = options.udpIdleTimeout().toMillis();
    ChannelFuture registered =
        UdpSession.receiveBuffer(new Bootstrap(), options)
            .group(listening.eventLoop())
            .channel(transport.datagramChannel())
            .option(ChannelOption.RECVBUF_ALLOCATOR, listening.config().getRecvByteBufAllocator())
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, UdpSession.QUEUE)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel backend) {
                    ForwardCounters counters = route.counters();
                    backend.pipeline().addLast("drops", new ReceiveDrops(() -> counters));
                    if (idle > 0) {
                      backend
                          .pipeline()
                          .addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
                    }
                    if (transport.segmentsDatagrams()) {
                      backend.pipeline().addLast("segments", new SegmentedWrites());
                    }
                    backend
                        .pipeline()
                        .addLast("relay", new UdpBackendHandler(listening, client, route, options));
                  }
                })
            .register();
    // The backend is an address, never a name: connect without Bootstrap's resolver.
    ChannelFuture connect =
        registered.isDone() && !registered.isSuccess()
            ? registered
            : registered.channel().connect(route.backendFor(client.getAddress()));
    if (connect.isDone() && !connect.isSuccess()) {
      // socket() failed (out of file descriptors): Netty hands back a stand-in channel whose close
      // never fires, so no session is kept; the client's next datagram tries again.
      if (header != null) {
        header.release();
      }
      failed(client, route, connect.cause());
      return null;
    }
    UdpSession session = new UdpSession(connect, header, route.counters());
    Endpoints endpoints = new Endpoints(listening, client);
    sessions.put(endpoints, session);
    perSource.merge(DualStackAddresses.sourceKey(client.getAddress()), 1, Integer::sum);
    route.counters().opened();
    if (options.verbose()) {
      LOG.fine("udp session " + DualStackAddresses.format(client) + " on " + route.describe());
    }
    connect.channel().closeFuture().addListener(closed -> ended(endpoints, session, route));
    connect.addListener(
        (ChannelFutureListener)
            done -> {
              if (!done.isSuccess()) {
                // An unconnected socket never becomes active, so its idle timer never starts.
                failed(client, route, done.cause());
                done.channel().close();
              }
            });
    return session;
  }

  /** Forgets {@code session} once its socket has closed. */
  private void ended(Endpoints endpoints, UdpSession session, Route route) {
    if (!sessions.remove(endpoints, session)) {
      return;
    }
    InetSocketAddress client = endpoints.client();
    perSource.computeIfPresent(
        DualStackAddresses.sourceKey(client.getAddress()), (source, n) -> n == 1 ? null : n - 1);
    unflushed.remove(session);
    session.release();
    route.counters().closed();
    if (options.verbose()) {
      LOG.fine(
          "udp session ended " + DualStackAddresses.format(client) + " on " + route.describe());
    }
  }

  /** A session's socket could not be made or connected: counted, logged at a bounded rate. */
  private void failed(InetSocketAddress client, Route route, Throwable cause) {
    route.counters().error();
    String reason = Pipes.expected(cause);
    rateLimitedLog.log(
        Level.INFO,
        "udp session " + route.describe(),
        "udp session for "
            + DualStackAddresses.format(client)
            + " on "
            + route.describe()
            + " failed: "
            + (reason == null ? cause.toString() : reason));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    listening.add(ctx.channel());
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    listening.remove(ctx.channel());
  }

  /**
   * Counts what the kernel dropped at the receive buffers of the listener's sockets and of its
   * sessions' sockets since the last look, then completes {@code done}. On the listener's event
   * loop; the sessions {@value #DROPS_SLICE} at a time, one slice per turn of the loop, so that a
   * look at thousands of sessions does not hold up their datagrams.
   */
  void countDrops(Promise<Void> done) {
    listening.forEach(ReceiveDrops::countAt);
    countDrops(new ArrayList<>(sessions.values()), 0, done);
  }

  private void countDrops(List<UdpSession> looked, int from, Promise<Void> done) {
    int to = Math.min(looked.size(), from + DROPS_SLICE);
    // A session that ended since was counted as its socket closed.
    looked.subList(from, to).forEach(UdpSession::countDrops);
    if (to == looked.size()) {
      done.setSuccess(null);
      return;
    }
    try {
      listener.loop().schedule(() -> countDrops(looked, to, done), 0, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopping) {
      done.setSuccess(null); // the relay is closing; each socket counts its drops as it closes
    }
  }

  /** How many UDP sessions are open (tests). */
  int sessionCount() {
    return sessions.size();
  }

  /**
   * The address the client sent to. A wildcard socket reports only its wildcard unless the
   * transport gave the datagram's original destination; then the header names the listening port on
   * the unspecified address of the client's IP version (never a mixed-family header).
   */
  static InetSocketAddress localOf(
      Channel listening, InetSocketAddress client, InetSocketAddress recipient) {
    InetSocketAddress local =
        DualStackAddresses.unmap(recipient != null ? recipient : listening.localAddress());
    boolean clientV4 = DualStackAddresses.unmap(client.getAddress()) instanceof Inet4Address;
    boolean localV4 = local.getAddress() instanceof Inet4Address;
    if (local.getAddress().isAnyLocalAddress() || clientV4 != localV4) {
      try {
        return new InetSocketAddress(
            InetAddress.getByAddress(new byte[clientV4 ? 4 : 16]), local.getPort());
      } catch (UnknownHostException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    return local;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // The listening socket is gone (reload removed it, its address went away, or shutdown):
    // replies could not be sent.
    List<UdpSession> orphaned = new ArrayList<>();
    sessions.forEach(
        (endpoints, session) -> {
          if (endpoints.listening() == ctx.channel()) {
            orphaned.add(session);
          }
        });
    orphaned.forEach(UdpSession::close);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // An ICMP error for one client must not stop the listener; log and carry on.
    String reason = Pipes.expected(cause);
    LOG.fine("udp listener " + listener.key() + ": " + (reason == null ? cause : reason));
  }
}
