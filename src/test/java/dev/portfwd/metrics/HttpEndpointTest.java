package dev.portfwd.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {

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
            Map.of("/metrics", new MetricsHandler(() -> snapshots)));
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

  @Test
  void clientsThatStallMidRequestAreCutOffAndOthersAreServed() throws Exception {
    // The JDK's server reads its request time once per process: a process of its own.
    java.util.List<String> argv =
        java.util.List.of(
            java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            EndpointProcess.class.getName());
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    java.util.List<java.net.Socket> stalled = new java.util.ArrayList<>();
    try {
      int port =
          Integer.parseInt(
              new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()))
                  .readLine()
                  .strip());
      for (int i = 0; i < HttpEndpoint.THREADS + 2; i++) {
        java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port);
        socket.getOutputStream().write("GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes());
        socket.getOutputStream().flush();
        stalled.add(socket);
      }
      Thread.sleep(300); // every thread of the listener now waits for the rest of a request
      long start = System.nanoTime();
      HttpResponse<String> served =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ok"))
                      .timeout(HttpEndpoint.REQUEST_TIME.multipliedBy(3))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(took)
          .as("served once the stalled requests ran out of time")
          .isLessThan(HttpEndpoint.REQUEST_TIME.plusSeconds(5));
      for (java.net.Socket socket : stalled) {
        socket.setSoTimeout(5000);
        int read;
        try {
          read = socket.getInputStream().read();
        } catch (java.net.SocketException e) {
          read = -1; // reset: closed as well
        }
        assertThat(read).as("a stalled client is disconnected").isEqualTo(-1);
      }
    } finally {
      for (java.net.Socket socket : stalled) {
        socket.close();
      }
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
