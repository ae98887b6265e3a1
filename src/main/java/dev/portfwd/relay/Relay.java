package dev.portfwd.relay;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The userspace relay: listens on every port of a table and relays TCP connections and UDP sessions
 * to the backends.
 *
 * <p>Design: one event-loop group (one loop per core) accepts and carries the traffic, so an
 * accepted connection often stays on the thread that accepted it (no wake-up of another thread on a
 * busy two-core host); a backend connection or UDP session always lives on the loop of the client
 * it serves, so a connection is handled by one thread from start to end. {@link #apply} moves the
 * relay to a new table by difference: sockets the new table no longer wants stop listening, new
 * ones start, kept ones switch route for new connections only. Established connections are never
 * touched by {@code apply}; only {@link #close} ends them. Control methods are synchronized:
 * reloads, signals and the drain come from different threads.
 */
public final class Relay implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Relay.class.getPackageName());

  private final Transport transport;
  private final RelayOptions options;
  private final RelayCounters counters;
  private final EventLoopGroup workers;
  private final ConnectionLimits limits;
  private final RateLimitedLog rateLimitedLog = new RateLimitedLog(LOG);
  private final Map<ListenerKey, Listener> listeners = new LinkedHashMap<>();
  private boolean accepting = true;

  public Relay(Transport transport, RelayOptions options, RelayCounters counters) {
    this.transport = transport;
    this.options = options;
    this.counters = counters;
    this.workers = transport.newGroup(Runtime.getRuntime().availableProcessors());
    this.limits = new ConnectionLimits(options.maxConnections(), options.maxConnectionsPerSource());
    workers.scheduleAtFixedRate(rateLimitedLog::flush, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Makes the relay serve {@code table}. Sockets that cannot be opened are left out and described
   * in the returned list (one line each, naming the table line); everything else is applied.
   */
  public synchronized List<String> apply(ForwardTable table) {
    if (!accepting) {
      return List.of("the relay is shutting down; the table was not applied");
    }
    Map<ListenerKey, Route> wanted = RelayPlan.routes(table, counters);
    int stopped = 0;
    for (Iterator<Map.Entry<ListenerKey, Listener>> it = listeners.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<ListenerKey, Listener> entry = it.next();
      Route route = wanted.get(entry.getKey());
      if (route == null) {
        entry.getValue().close();
        it.remove();
        stopped++;
      } else {
        entry.getValue().route(route);
      }
    }
    List<String> failures = new ArrayList<>();
    int started = 0;
    for (Map.Entry<ListenerKey, Route> entry : wanted.entrySet()) {
      if (listeners.containsKey(entry.getKey())) {
        continue;
      }
      Listener listener = new Listener(entry.getKey(), entry.getValue());
      try {
        listener.bound(bind(listener, sharesPort(entry.getKey(), wanted)));
        listeners.put(entry.getKey(), listener);
        started++;
      } catch (Exception e) {
        failures.add(BindErrors.describe(entry.getKey(), entry.getValue(), e));
      }
    }
    LOG.info(
        "serving "
            + table.forwards().size()
            + " forwards from "
            + table.source()
            + " on "
            + listeners.size()
            + " sockets ("
            + started
            + " opened, "
            + stopped
            + " closed)");
    return failures;
  }

  /** True when {@code key}'s port is also wanted on another address (wildcard and specific). */
  private static boolean sharesPort(ListenerKey key, Map<ListenerKey, Route> wanted) {
    for (ListenerKey other : wanted.keySet()) {
      if (!other.equals(key) && other.protocol() == key.protocol() && other.port() == key.port()) {
        return true;
      }
    }
    return false;
  }

  private Channel bind(Listener listener, boolean sharedPort) throws Exception {
    ListenerKey key = listener.key();
    List<InetAddress> addresses = key.address().map(List::of).orElseGet(Relay::wildcards);
    Exception first = null;
    for (InetAddress address : addresses) {
      AbstractBootstrap<?, ?> bootstrap = bootstrap(listener);
      if (sharedPort) {
        bootstrap.option(transport.reusePort(), true);
      }
      ChannelFuture bind =
          bootstrap.bind(new InetSocketAddress(address, key.port())).awaitUninterruptibly();
      if (bind.isSuccess()) {
        return bind.channel();
      }
      Throwable cause = bind.cause();
      if (first == null) {
        first = cause instanceof Exception e ? e : new Exception(cause);
      }
      // Only a host without IPv6 falls back to the IPv4 wildcard; any other error is final.
      if (!String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("address family")) {
        break;
      }
    }
    throw first;
  }

  private AbstractBootstrap<?, ?> bootstrap(Listener listener) {
    if (listener.key().protocol() == Protocol.TCP) {
      return new ServerBootstrap()
          .group(workers)
          .channel(transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .handler(new TcpAcceptErrorHandler(listener.key(), rateLimitedLog))
          .childHandler(
              new TcpAcceptInitializer(listener, transport, options, limits, rateLimitedLog));
    }
    return new Bootstrap()
        .group(workers)
        .channel(transport.datagramChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.RECVBUF_ALLOCATOR, Datagrams.RECEIVE)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, UdpSession.QUEUE)
        .handler(new UdpFrontendHandler(listener, transport, options, rateLimitedLog));
  }

  /** {@code ::} (both IP versions on Linux) first, then {@code 0.0.0.0} for IPv4-only hosts. */
  private static List<InetAddress> wildcards() {
    try {
      return List.of(InetAddress.getByAddress(new byte[16]), InetAddress.getByAddress(new byte[4]));
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /**
   * Stops listening everywhere (UDP sessions end with their listener); open TCP connections go on.
   */
  public synchronized void stopAccepting() {
    accepting = false;
    for (Listener listener : listeners.values()) {
      listener.close();
    }
    listeners.clear();
  }

  /**
   * Waits until no TCP connection is open or {@code timeout} passed.
   *
   * @return the number of connections still open
   */
  public long awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long open;
    while ((open = counters.activeTcp()) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return open;
  }

  public RelayCounters counters() {
    return counters;
  }

  public RelayOptions options() {
    return options;
  }

  public Transport transport() {
    return transport;
  }

  /** Closes every socket and connection and stops the event loops. */
  @Override
  public void close() {
    stopAccepting();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    rateLimitedLog.flushAll();
  }
}
