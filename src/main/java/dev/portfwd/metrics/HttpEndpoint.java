package dev.portfwd.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The service's HTTP listener ({@code watch --http}, {@code relay --http}): routes exact paths to
 * their handlers and answers 404 for every other path. {@code /metrics} is one route; the
 * dashboard's pages and API are others on the same listener, over TLS when given a context.
 *
 * <p>Netty reads each request whole on one event loop, so a client that sends slowly holds no
 * thread; a few threads then run the handlers (written against the JDK's {@link HttpExchange}), so
 * a slow one (a doctor run, a login's password hash) does not hold up a scrape, while the service's
 * own work is not crowded out. What one client may take is bounded: connections per address and in
 * all ({@link ClientConnections}), the time a request may take to arrive ({@link
 * RequestDispatcher}), the size of its line, headers and body, and the number of large bodies read
 * at once ({@link LargeBodies}).
 */
public final class HttpEndpoint implements Closeable {

  /** Enough for a scrape beside a page's requests; each doctor run or login holds one. */
  static final int THREADS = 4;

  /**
   * How long a request's line, headers and body may take to arrive, from the connection's start or
   * the previous answer; then its connection is closed.
   */
  static final Duration REQUEST_TIME = Duration.ofSeconds(10);

  /**
   * Connections one client address may hold open: a browser opens six at most, a scraper one, and a
   * few people behind one NAT address share it.
   */
  static final int CONNECTIONS_PER_ADDRESS = 16;

  /** Connections all clients together may hold open. */
  static final int CONNECTIONS = 256;

  /** A request body's limit: the dashboard's table (16 MiB, more once escaped in JSON). */
  static final int MAX_BODY = 40 * 1024 * 1024;

  /** Large bodies read or waiting for their answer at once. */
  static final int LARGE_BODIES = THREADS;

  private static final int MAX_LINE = 8 * 1024;
  private static final int MAX_HEADERS = 64 * 1024;

  private final Channel listener;
  private final EventLoopGroup loop;
  private final ExecutorService handlers;
  private final AtomicBoolean closed = new AtomicBoolean();

  private HttpEndpoint(Channel listener, EventLoopGroup loop, ExecutorService handlers) {
    this.listener = listener;
    this.loop = loop;
    this.handlers = handlers;
  }

  /**
   * Listens on {@code address} and serves {@code routes} (exact path → handler).
   *
   * @throws IOException when the address cannot be bound (in use, not local)
   */
  public static HttpEndpoint start(InetSocketAddress address, Map<String, HttpHandler> routes)
      throws IOException {
    return start(address, routes, Optional.empty());
  }

  /**
   * Listens on {@code address}, over TLS with {@code tls} when present, and serves {@code routes}.
   *
   * @throws IOException when the address cannot be bound (in use, not local)
   */
  public static HttpEndpoint start(
      InetSocketAddress address, Map<String, HttpHandler> routes, Optional<SSLContext> tls)
      throws IOException {
    Map<String, HttpHandler> exact = Map.copyOf(routes);
    HttpHandler root = exchange -> route(exchange, exact);
    ExecutorService handlers = Executors.newFixedThreadPool(THREADS, daemons("portfwd-http"));
    EventLoopGroup loop =
        new MultiThreadIoEventLoopGroup(1, daemons("portfwd-http-io"), NioIoHandler.newFactory());
    ClientConnections connections =
        new ClientConnections(CONNECTIONS_PER_ADDRESS, CONNECTIONS, tls.isPresent());
    Semaphore largeBodies = new Semaphore(LARGE_BODIES);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(loop)
            // An IPv4 address gets an IPv4 socket: on a dual-stack one the JDK binds 0.0.0.0 as ::,
            // which would also serve IPv6, where the user's IPv4 firewall does not look.
            .channelFactory(
                () ->
                    address.getAddress() instanceof Inet4Address
                        ? new NioServerSocketChannel(
                            SelectorProvider.provider(), SocketProtocolFamily.INET)
                        : new NioServerSocketChannel())
            .option(ChannelOption.SO_BACKLOG, 64)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    ChannelPipeline pipeline = channel.pipeline();
                    pipeline.addLast(connections);
                    tls.ifPresent(
                        context -> {
                          SSLEngine engine = context.createSSLEngine();
                          engine.setUseClientMode(false);
                          pipeline.addLast(new SslHandler(engine));
                        });
                    pipeline.addLast(
                        new HttpServerCodec(
                            new HttpDecoderConfig()
                                .setMaxInitialLineLength(MAX_LINE)
                                .setMaxHeaderSize(MAX_HEADERS)));
                    pipeline.addLast(new LargeBodies(largeBodies));
                    pipeline.addLast(new HttpObjectAggregator(MAX_BODY));
                    pipeline.addLast(new RequestDispatcher(root, handlers, REQUEST_TIME));
                  }
                });
    try {
      Channel listener = bootstrap.bind(address).sync().channel();
      return new HttpEndpoint(listener, loop, handlers);
    } catch (Exception e) {
      loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      handlers.shutdown();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  private static ThreadFactory daemons(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The address bound: the port chosen when port 0 was asked. */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  private static void route(HttpExchange exchange, Map<String, HttpHandler> routes)
      throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      if (path == null) {
        // An opaque target ("mailto:x", "x:y") has no path to route: the client's mistake.
        text(exchange, 400, "bad request: the request target must be a path such as /metrics\n");
        return;
      }
      HttpHandler handler = routes.get(path);
      if (handler == null) {
        text(exchange, 404, "not found\n");
        return;
      }
      handler.handle(exchange);
    } catch (RuntimeException e) {
      // A handler's bug must not end the listener's thread: answer 500 if nothing was sent yet.
      if (exchange.getResponseCode() < 0) {
        text(exchange, 500, "internal error\n");
      }
    } finally {
      exchange.close();
    }
  }

  /** Sends {@code body} as plain text with {@code status}. */
  static void text(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops listening; a request under way gets a second to finish. Closing again does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return; // the signal handler and watch's own end both close it
    }
    listener.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    handlers.shutdown();
    try {
      handlers.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
