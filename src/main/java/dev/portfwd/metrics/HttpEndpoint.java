package dev.portfwd.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;

/**
 * The service's HTTP listener ({@code watch --http}): routes exact paths to their handlers and
 * answers 404 for every other path. {@code /metrics} is one route; the dashboard's pages and API
 * are others on the same listener, over TLS when given a context. A few threads serve requests, so
 * a slow one (a doctor run, a login's password hash) does not hold up a scrape, while the service's
 * own work is not crowded out.
 */
public final class HttpEndpoint implements Closeable {

  /** Enough for a scrape beside a page's requests; each doctor run or login holds one. */
  static final int THREADS = 4;

  /**
   * How long a request's line, headers and body may take to arrive. The JDK's server reads them on
   * one of the few threads, so a client that stalls in the middle of a request would hold that
   * thread for good; after this its connection is closed. Set as the JDK's own setting, which it
   * reads once, when the process makes its first server: portfwd's servers are all made here, and
   * an administrator's {@code -Dsun.net.httpserver.maxReqTime} wins.
   */
  static final Duration REQUEST_TIME = Duration.ofSeconds(10);

  static {
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(REQUEST_TIME.toSeconds()));
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private HttpEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
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
    HttpServer server;
    if (tls.isPresent()) {
      HttpsServer https = HttpsServer.create(address, /* backlog= */ 16);
      https.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
      server = https;
    } else {
      server = HttpServer.create(address, /* backlog= */ 16);
    }
    Map<String, HttpHandler> exact = Map.copyOf(routes);
    server.createContext("/", exchange -> route(exchange, exact));
    ExecutorService executor =
        Executors.newFixedThreadPool(
            THREADS,
            task -> {
              Thread thread = new Thread(task, "portfwd-http");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.start();
    return new HttpEndpoint(server, executor);
  }

  /** The address bound: the port chosen when port 0 was asked. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void route(HttpExchange exchange, Map<String, HttpHandler> routes)
      throws IOException {
    try {
      HttpHandler handler = routes.get(exchange.getRequestURI().getPath());
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
    server.stop(/* delay= */ 1);
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
