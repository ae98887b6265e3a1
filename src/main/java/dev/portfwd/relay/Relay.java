package dev.portfwd.relay;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

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
 *
 * <p>A UDP line without an address listens on the wildcard and on each address of the host (see
 * {@link LocalAddresses}); the host's addresses are looked at again every {@link
 * #ADDRESS_INTERVAL_SECONDS} seconds and on each reload, on a thread of their own, since binding
 * waits and the event loops must not.
 */
public final class Relay implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Relay.class.getPackageName());

  static final int ADDRESS_INTERVAL_SECONDS = 3;

  /**
   * At most this many per-address UDP sockets over the whole relay (a range of UDP ports on a host
   * with many addresses); past it, the rest answer from the wildcard socket, as before, and a line
   * says so.
   */
  static final int MAX_ADDRESS_SOCKETS = 4096;

  // How long a look at the drops waits for a busy event loop; a late one counts at the next look.
  private static final long DROPS_LOOK_MILLIS = 1000;

  /** The largest TCP read. */
  static final int TCP_READ = 256 * 1024;

  private final Transport transport;
  private final RelayOptions options;
  private final RelayCounters counters;
  private boolean warnedReceiveBuffer;
  private final LoopChooser loopChooser = new LoopChooser();
  private final EventLoopGroup workers;
  private final ConnectionLimits limits;
  private final RateLimitedLog rateLimitedLog = new RateLimitedLog(LOG);

  /**
   * Bulk TCP is read up to 256 KiB at a time while a loop has one of its four large buffers free (a
   * quarter of the system calls of 64 KiB reads), and at most 64 KiB into a buffer of its own when
   * chunks waiting for slow readers hold all four: past the first four on a loop, a slow reader
   * keeps no more waiting in the relay than before.
   */
  private final RecvByteBufAllocator tcpReceive =
      new ReceiveBuffers(TCP_READ, 4, 64 * 1024)
          .around(new AdaptiveRecvByteBufAllocator(64, 2048, TCP_READ));

  private final RecvByteBufAllocator udpReceive =
      new ReceiveBuffers(65_536, 4, 65_536).around(Datagrams.RECEIVE);
  private final IdleSweeper.PerLoop idleSweepers;
  private final Map<ListenerKey, Listener> listeners = new LinkedHashMap<>();
  private final Supplier<Set<InetAddress>> localAddresses;
  private final ScheduledExecutorService addressWatch =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "portfwd-relay-addresses");
            thread.setDaemon(true);
            return thread;
          });
  private boolean accepting = true;
  private boolean overAddressSockets;

  public Relay(Transport transport, RelayOptions options, RelayCounters counters) {
    this(transport, options, counters, LocalAddresses::ofThisHost);
  }

  Relay(
      Transport transport,
      RelayOptions options,
      RelayCounters counters,
      Supplier<Set<InetAddress>> localAddresses) {
    this.transport = transport;
    this.options = options;
    this.counters = counters;
    this.localAddresses = localAddresses;
    this.workers = transport.newGroup(Runtime.getRuntime().availableProcessors(), loopChooser);
    this.limits = new ConnectionLimits(options.maxConnections(), options.maxConnectionsPerSource());
    this.idleSweepers =
        options.idleTimeout().isZero() ? null : new IdleSweeper.PerLoop(options.idleTimeout());
    workers.scheduleAtFixedRate(rateLimitedLog::flush, 1, 1, TimeUnit.SECONDS);
    addressWatch.scheduleWithFixedDelay(
        this::followAddresses,
        ADDRESS_INTERVAL_SECONDS,
        ADDRESS_INTERVAL_SECONDS,
        TimeUnit.SECONDS);
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
    // Before a new line with an address binds, the per-address socket on its address must go, or
    // both would hold the address and the kernel would pick either.
    answerPerAddress(listeners.values(), wanted.keySet());
    List<Listener> opening = new ArrayList<>();
    for (Map.Entry<ListenerKey, Route> entry : wanted.entrySet()) {
      if (listeners.containsKey(entry.getKey())) {
        continue;
      }
      Listener listener = new Listener(entry.getKey(), entry.getValue());
      if (entry.getKey().protocol() == Protocol.UDP) {
        listener.udp(
            workers.next(), new UdpFrontendHandler(listener, transport, options, rateLimitedLog));
      }
      opening.add(listener);
    }
    // A new UDP line without an address opens its per-address sockets before its wildcard one: a
    // client the wildcard socket heard first would get a second session (another source port at
    // the backend) once its address's own socket opened.
    answerPerAddress(opening, wanted.keySet());
    List<String> failures = new ArrayList<>();
    Map<InetAddress, Integer> opened = new TreeMap<>(Relay::byText);
    int started = 0;
    for (Listener listener : opening) {
      try {
        listener.bound(bind(listener, sharesPort(listener.key(), wanted)));
        listeners.put(listener.key(), listener);
        started++;
      } catch (Exception e) {
        listener.close();
        failures.add(BindErrors.describe(listener.key(), listener.route(), e));
        continue;
      }
      for (InetAddress address : listener.perAddress().keySet()) {
        opened.merge(address, 1, Integer::sum);
      }
    }
    logAnswering(opened);
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
    answerPerAddress(listeners.values(), listeners.keySet());
    return failures;
  }

  /**
   * The periodic look at the host's addresses. The look itself needs a socket, so it fails when
   * file descriptors run out: said at a bounded rate, and the sockets stay as they are.
   */
  private synchronized void followAddresses() {
    if (!accepting) {
      return;
    }
    try {
      answerPerAddress(listeners.values(), listeners.keySet());
    } catch (UncheckedIOException e) {
      rateLimitedLog.log(
          Level.WARNING,
          "host addresses",
          "cannot read the host's addresses ("
              + Pipes.shortMessage(e.getCause())
              + "); UDP lines without an address keep their sockets, trying again every "
              + ADDRESS_INTERVAL_SECONDS
              + " s");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not follow the host's addresses for UDP: " + e, e);
    }
  }

  /**
   * Makes each UDP listener without an address of {@code which} hold one socket per local address,
   * except the addresses that a line of {@code claimed} names on the same port (that line's socket
   * must get every datagram to it). Sockets of addresses that left the host close, with their
   * sessions. A listener not bound yet is taken to bind {@code ::}, as it first tries; if it falls
   * back to {@code 0.0.0.0}, the next call closes its IPv6 sockets.
   */
  private void answerPerAddress(Collection<Listener> which, Collection<ListenerKey> claimed) {
    Set<InetAddress> local = localAddresses.get();
    Map<InetAddress, Integer> opened = new TreeMap<>(Relay::byText);
    Map<InetAddress, Integer> closed = new TreeMap<>(Relay::byText);
    int sockets = 0;
    for (Listener listener : listeners.values()) {
      sockets += listener.perAddress().size();
    }
    for (Listener listener : which) {
      if (!listener.answersPerAddress()) {
        continue;
      }
      // A listener not bound yet says nothing: its own bind may fail for the same reason, and
      // apply says what it opened once it is bound.
      boolean bound = listener.boundAddress() != null;
      InetAddress wildcard =
          Objects.requireNonNullElseGet(listener.boundAddress(), () -> wildcards().get(0));
      int port = listener.key().port();
      Set<InetAddress> wanted = new LinkedHashSet<>();
      for (InetAddress address : local) {
        if (LocalAddresses.heardBy(wildcard, address) && !claims(claimed, address, port)) {
          wanted.add(address);
        }
      }
      for (Iterator<Map.Entry<InetAddress, Channel>> it =
              listener.perAddress().entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<InetAddress, Channel> socket = it.next();
        if (!wanted.contains(socket.getKey())) {
          socket.getValue().close().awaitUninterruptibly();
          it.remove();
          sockets--;
          closed.merge(socket.getKey(), 1, Integer::sum);
        }
      }
      listener.forgetUnbindable(wanted);
      for (InetAddress address : wanted) {
        if (listener.perAddress().containsKey(address)) {
          continue;
        }
        if (sockets >= MAX_ADDRESS_SOCKETS) {
          if (!overAddressSockets) {
            overAddressSockets = true;
            LOG.warning(
                MAX_ADDRESS_SOCKETS
                    + " per-address UDP sockets open: further UDP lines without an address"
                    + " answer from the wildcard socket, with the kernel's choice of source"
                    + " address");
          }
          break;
        }
        ChannelFuture bind =
            bootstrap(listener).bind(new InetSocketAddress(address, port)).awaitUninterruptibly();
        if (bind.isSuccess()) {
          checkReceiveBuffer(bind.channel());
          listener.perAddress().put(address, bind.channel());
          listener.forgetUnbindable(address);
          sockets++;
          if (bound) {
            opened.merge(address, 1, Integer::sum);
          }
        } else if (bound && listener.unbindable(address)) {
          LOG.warning(
              listener.key()
                  + ": cannot listen on "
                  + Addresses.withPort(address, port)
                  + " ("
                  + Objects.requireNonNullElse(
                      Pipes.expected(bind.cause()), String.valueOf(bind.cause()))
                  + "); clients writing there are answered from the kernel's choice of address");
        }
      }
    }
    if (sockets < MAX_ADDRESS_SOCKETS) {
      overAddressSockets = false;
    }
    logAnswering(opened);
    if (!closed.isEmpty()) {
      LOG.info("stopped answering UDP from " + describe(closed) + " (gone from the host)");
    }
  }

  private static void logAnswering(Map<InetAddress, Integer> opened) {
    if (!opened.isEmpty()) {
      LOG.info("answering UDP from " + describe(opened) + " too (lines without an address)");
    }
  }

  private static boolean claims(Collection<ListenerKey> keys, InetAddress address, int port) {
    for (ListenerKey key : keys) {
      if (key.protocol() == Protocol.UDP
          && key.port() == port
          && key.address().map(a -> DualStackAddresses.unmap(a).equals(address)).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  private static int byText(InetAddress a, InetAddress b) {
    return a.getHostAddress().compareTo(b.getHostAddress());
  }

  /** {@code 203.0.113.2 (3 ports), 2001:db8:1::2 (3 ports)}. */
  private static String describe(Map<InetAddress, Integer> ports) {
    return ports.entrySet().stream()
        .map(
            e ->
                Addresses.format(e.getKey())
                    + " ("
                    + e.getValue()
                    + (e.getValue() == 1 ? " port)" : " ports)"))
        .collect(Collectors.joining(", "));
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
        if (key.protocol() == Protocol.UDP) {
          checkReceiveBuffer(bind.channel());
        }
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

  /**
   * Warns once when the kernel gave a UDP socket less receive buffer than {@code
   * --udp-receive-buffer} asks: it grants at most {@code net.core.rmem_max}, and reports twice what
   * it grants (the rest is its bookkeeping).
   */
  private void checkReceiveBuffer(Channel socket) {
    int asked = options.udpReceiveBuffer();
    if (asked == 0 || warnedReceiveBuffer) {
      return;
    }
    Integer reported = socket.config().getOption(ChannelOption.SO_RCVBUF);
    if (reported != null && reported / 2 < asked) {
      warnedReceiveBuffer = true;
      LOG.warning(
          "the kernel gives UDP sockets "
              + reported / 2
              + " bytes of receive buffer, less than the "
              + asked
              + " that --udp-receive-buffer asks: raise its limit (sysctl -w net.core.rmem_max="
              + asked
              + ", and a file in /etc/sysctl.d to keep it)");
    }
  }

  private AbstractBootstrap<?, ?> bootstrap(Listener listener) {
    if (listener.key().protocol() == Protocol.TCP) {
      return new ServerBootstrap()
          .group(workers)
          .channel(transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .option(ChannelOption.SO_REUSEADDR, true)
          // No TCP_NODELAY: Netty turns Nagle's algorithm off in every socket channel it makes.
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childOption(ChannelOption.RECVBUF_ALLOCATOR, tcpReceive)
          .handler(new TcpListenerHandler(listener.key(), rateLimitedLog))
          .childHandler(
              new TcpAcceptInitializer(
                  listener, transport, options, limits, loopChooser, idleSweepers, rateLimitedLog));
    }
    // SO_REUSEADDR lets the per-address sockets share the port with the wildcard one; the kernel
    // gives each datagram to the socket bound to its destination address, if there is one.
    return UdpSession.receiveBuffer(new Bootstrap(), options)
        .group(listener.loop())
        .channel(transport.datagramChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.RECVBUF_ALLOCATOR, udpReceive)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, UdpSession.QUEUE)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel listening) {
                listening
                    .pipeline()
                    .addLast("drops", new ReceiveDrops(() -> listener.route().counters()));
                if (transport.segmentsDatagrams()) {
                  listening.pipeline().addLast("segments", new SegmentedWrites());
                }
                listening.pipeline().addLast("relay", listener.udpFrontend());
              }
            });
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
    addressWatch.shutdown();
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

  /** The addresses that have a per-address UDP socket on {@code port} now (tests). */
  synchronized Set<InetAddress> answeringFrom(int port) {
    Set<InetAddress> addresses = new LinkedHashSet<>();
    for (Listener listener : listeners.values()) {
      if (listener.key().port() == port) {
        addresses.addAll(listener.perAddress().keySet());
      }
    }
    return addresses;
  }

  public RelayCounters counters() {
    return counters;
  }

  /**
   * Every forward's counters now, after adding what the kernel dropped at the UDP sockets' receive
   * buffers since the last look (each listener's event loop reads its own sockets).
   */
  public List<ForwardCounters.Snapshot> snapshot() {
    List<Future<Void>> looks = new ArrayList<>();
    synchronized (this) {
      for (Listener listener : listeners.values()) {
        UdpFrontendHandler frontend = listener.udpFrontend();
        if (frontend != null) {
          Promise<Void> done = listener.loop().newPromise();
          try {
            listener.loop().execute(() -> frontend.countDrops(done));
            looks.add(done);
          } catch (RejectedExecutionException stopped) {
            // the relay is closing: its sockets are gone
          }
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DROPS_LOOK_MILLIS);
    for (Future<?> look : looks) {
      look.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    return counters.snapshot();
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
