package dev.portfwd.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {

  /** More than the kernel's socket buffers hold, so a client that never reads stalls its write. */
  private static final byte[] BIG = new byte[64 * 1024 * 1024];

  private HttpEndpoint endpoint;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    MetricSnapshots snapshots =
        MetricSnapshots.of(
            GaugeSnapshot.builder()
                .name("portfwd_forwards")
                .help("Forwards installed in the kernel.")
                .dataPoint(GaugeDataPointSnapshot.builder().value(3).build())
                .build());
    endpoint =
        HttpEndpoint.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            Map.of(
                "/metrics",
                new MetricsHandler(() -> snapshots),
                "/big",
                exchange -> {
                  exchange.sendResponseHeaders(200, BIG.length);
                  exchange.getResponseBody().write(BIG);
                }));
  }

  @AfterEach
  void stop() {
    endpoint.close();
    endpoint.close(); // the signal handler and watch's end both close it
  }

  private HttpResponse<String> get(String path, String accept) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesThePrometheusTextFormatWithoutAuthentication() throws Exception {
    HttpResponse<String> response = get("/metrics", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    assertThat(response.body()).contains("portfwd_forwards 3.0").doesNotContain("# EOF");
  }

  @Test
  void servesOpenMetricsWhenTheScraperAsks() throws Exception {
    HttpResponse<String> response =
        get("/metrics", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/openmetrics-text"));
    assertThat(response.body()).contains("portfwd_forwards 3.0").endsWith("# EOF\n");
  }

  @Test
  void answersUnknownPathsWith404() throws Exception {
    assertThat(get("/", null).statusCode()).isEqualTo(404);
    assertThat(get("/metrics/x", null).statusCode()).isEqualTo(404);
    assertThat(get("/api/status", null).statusCode()).isEqualTo(404);
  }

  @Test
  void answersATargetWithoutAPathWith400() throws Exception {
    for (String target : new String[] {"mailto:x", "x:y"}) {
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(endpoint.address(), 2000);
        socket
            .getOutputStream()
            .write(
                ("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();

        assertThat(readAll(socket, Duration.ofSeconds(5)))
            .as(target)
            .startsWith("HTTP/1.1 400 ")
            .contains("the request target must be a path");
      }
    }
  }

  @Test
  void listensOnIpv4AloneWhenToldTheIpv4Wildcard() throws Exception {
    try (HttpEndpoint ipv4 =
        HttpEndpoint.start(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), Map.of())) {
      assertThat(ipv4.address().getAddress())
          .as("the JDK's dual-stack socket would bind :: and answer IPv6 too")
          .isInstanceOf(Inet4Address.class);
    }
  }

  @Test
  void refusesOtherMethodsThanGet() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(405);
  }

  @Test
  void readsAddressesAsLiteralsWithIpv6InBrackets() {
    assertThat(HttpAddress.parse("127.0.0.1:9470"))
        .isEqualTo(new InetSocketAddress("127.0.0.1", 9470));
    assertThat(HttpAddress.parse("[::1]:9470").getAddress().getHostAddress())
        .isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(HttpAddress.parse("0.0.0.0:0").getPort()).isZero();
    for (String bad :
        new String[] {
          "9470", "localhost:9470", "::1:9470", "[127.0.0.1]:1", "1.2.3.4:70000", "1.2.3.4:"
        }) {
      assertThatThrownBy(() -> HttpAddress.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--http takes ADDRESS:PORT");
    }
  }

  /** A connection from {@code from} that sends the start of a request and stalls. */
  private java.net.Socket stalled(String from) throws Exception {
    java.net.Socket socket = new java.net.Socket();
    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    socket.connect(endpoint.address(), 2000);
    socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes());
    socket.getOutputStream().flush();
    return socket;
  }

  /** What the server sent on {@code socket} until it closed, or what it failed with. */
  private static String readAll(java.net.Socket socket, java.time.Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      return "failed: " + e;
    }
  }

  @Test
  void clientsThatStallMidRequestHoldNoThreadAndAreCutOff() throws Exception {
    java.util.List<java.net.Socket> stalled = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < HttpEndpoint.THREADS + 2; i++) {
        stalled.add(stalled("127.0.0.1"));
      }
      Thread.sleep(300); // the stalled requests have reached the listener
      long start = System.nanoTime();
      HttpResponse<String> served = get("/metrics", null);
      java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(took).as("served beside the stalled requests").isLessThan(Duration.ofSeconds(2));
      for (java.net.Socket socket : stalled) {
        assertThat(readAll(socket, HttpEndpoint.REQUEST_TIME.plusSeconds(5)))
            .as("a stalled client is disconnected once its request time is up")
            .isEmpty();
      }
    } finally {
      for (java.net.Socket socket : stalled) {
        socket.close();
      }
    }
  }

  @Test
  void oneAddressFloodingWithSlowConnectionsLeavesOthersServed() throws Exception {
    java.util.List<java.net.Socket> flood = new java.util.ArrayList<>();
    try {
      // Far more than the listener's threads and than one address may hold.
      for (int i = 0; i < HttpEndpoint.CONNECTIONS_PER_ADDRESS + 40; i++) {
        flood.add(stalled("127.0.0.2"));
      }
      Thread.sleep(300);
      long start = System.nanoTime();
      java.net.Socket other = new java.net.Socket();
      other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0));
      other.connect(endpoint.address(), 2000);
      other
          .getOutputStream()
          .write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
      String answer = readAll(other, Duration.ofSeconds(5));
      other.close();
      assertThat(answer).startsWith("HTTP/1.1 200").contains("portfwd_forwards 3.0");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      java.util.List<String> refused = new java.util.ArrayList<>();
      for (java.net.Socket socket :
          flood.subList(HttpEndpoint.CONNECTIONS_PER_ADDRESS, flood.size())) {
        refused.add(readAll(socket, Duration.ofSeconds(2)));
      }
      assertThat(refused)
          .as("connections over the address's limit are refused at once")
          .allSatisfy(
              text ->
                  assertThat(text)
                      .satisfiesAnyOf(
                          t -> assertThat(t).startsWith("HTTP/1.1 503 Service Unavailable"),
                          t -> assertThat(t).startsWith("failed: java.net.SocketException")));
      assertThat(refused).anyMatch(text -> text.startsWith("HTTP/1.1 503"));
    } finally {
      for (java.net.Socket socket : flood) {
        socket.close();
      }
    }
  }

  @Test
  void aClientThatNeverReadsItsAnswerIsCutOff() throws Exception {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(endpoint.address(), 2000);
      socket.getOutputStream().write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      socket.getOutputStream().flush();
      Thread.sleep(HttpEndpoint.REQUEST_TIME.plusSeconds(3).toMillis());
      socket.setSoTimeout(5000);
      long read = 0;
      try {
        java.io.InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1 << 16];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          read += n;
        }
      } catch (java.io.IOException e) {
        // reset or timed out: what was read so far tells
      }
      assertThat(read)
          .as("the listener gave up on a client that did not read for its request time")
          .isLessThan(BIG.length);
    }
  }
}
