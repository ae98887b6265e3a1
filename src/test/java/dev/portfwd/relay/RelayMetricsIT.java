package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.Scrapes;
import dev.portfwd.testing.SlowClients;
import dev.portfwd.testing.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relay --http} end to end: the relay in the gateway namespace, a TCP connection and a UDP
 * session from the client through it, and {@code /metrics} fetched from inside the gateway: each
 * counted under its forward and backend, the text accepted by {@code promtool check metrics}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RelayMetricsIT {

  private static final int PORT = 9471;

  @TempDir Path dir;

  @Test
  void countsARelayedConnectionAndSessionAndPassesPromtool() throws Exception {
    Path table = dir.resolve("t.txt");
    Files.writeString(table, "13102 192.0.2.2 80 tcp,udp # echo\n");
    try (Topology topology = Topology.reference()) {
      topology.spawn("backend", RelayProcess.tool("echo", "80").toArray(String[]::new));
      topology.awaitListening("backend", "tcp", 80, Duration.ofSeconds(20));
      topology.awaitListening("backend", "udp", 80, Duration.ofSeconds(20));
      RelayProcess relay =
          RelayProcess.start(topology, table, "tcp", 13102, "--http", "127.0.0.1:" + PORT);
      relay.awaitLog("metrics at http://127.0.0.1:" + PORT + "/metrics", Duration.ofSeconds(20));
      String before = Scrapes.body(Scrapes.fetch(topology, "gateway", PORT, "/metrics", "*/*"));
      assertThat(before)
          .contains(
              "portfwd_relay_connections_total{backend=\"192.0.2.2:80\",external=\"13102/tcp\"}"
                  + " 0.0");

      assertThat(
              topology
                  .exec(
                      "client",
                      "sh",
                      "-c",
                      "echo hello | timeout 5 socat -t2 - TCP:203.0.113.1:13102")
                  .stdout())
          .isEqualTo("hello\n");
      String udp = "echo ping | timeout 5 socat -t2 - UDP:203.0.113.1:13102,sourceport=40000";
      String answer = topology.exec("client", "sh", "-c", udp).stdout();
      for (int i = 0; i < 10 && answer.isEmpty(); i++) {
        answer = topology.exec("client", "sh", "-c", udp).stdout(); // a loaded machine is slow
      }
      assertThat(answer).isEqualTo("ping\n");

      String response = Scrapes.fetch(topology, "gateway", PORT, "/metrics", "text/plain");
      assertThat(response).startsWith("HTTP/1.1 200").contains("text/plain; version=0.0.4");
      String text = Scrapes.body(response);
      assertThat(text)
          .contains(
              "portfwd_relay_connections_total{backend=\"192.0.2.2:80\",external=\"13102/tcp\"}"
                  + " 1.0",
              "portfwd_relay_bytes_total{backend=\"192.0.2.2:80\",direction=\"to_backend\","
                  + "external=\"13102/tcp\"} 6.0",
              "portfwd_relay_bytes_total{backend=\"192.0.2.2:80\",direction=\"to_client\","
                  + "external=\"13102/tcp\"} 6.0",
              "portfwd_relay_udp_sessions{backend=\"192.0.2.2:80\",external=\"13102/udp\"} 1.0",
              "portfwd_relay_udp_dropped_total{backend=\"192.0.2.2:80\",external=\"13102/udp\"}"
                  + " 0.0",
              "portfwd_relay_refused_total{backend=\"192.0.2.2:80\",external=\"13102/tcp\"} 0.0",
              "portfwd_relay_errors_total{backend=\"192.0.2.2:80\",external=\"13102/tcp\"} 0.0");
      Scrapes.promtoolAccepts(dir, text);

      relay.signal("TERM");
      assertThat(relay.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void aFloodOfSlowConnectionsFromOneClientLeavesAnotherClientsScrapeWorking() throws Exception {
    Path table = dir.resolve("t.txt");
    Files.writeString(table, "13102 192.0.2.2 80 tcp # echo\n");
    try (Topology topology = Topology.reference()) {
      topology.addClient("scraper", "203.0.113.20", null);
      RelayProcess relay =
          RelayProcess.start(
              topology, table, "tcp", 13102, "--http", Topology.GATEWAY_WAN + ":" + PORT);
      relay.awaitLog("metrics at http://", Duration.ofSeconds(20));
      Path log = dir.resolve("flood.log");
      Process flood =
          SlowClients.flood(
              topology, "client", Topology.GATEWAY_WAN, PORT, 300, /* seconds= */ 6, log);
      try {
        long start = System.nanoTime();
        CommandResult scrape =
            topology.exec(
                "scraper",
                "curl",
                "-sS",
                "--max-time",
                "5",
                "-w",
                "\n%{http_code}",
                "http://" + Topology.GATEWAY_WAN + ":" + PORT + "/metrics");
        assertThat(scrape.stdout())
            .as("a scrape during the flood: %s", scrape.stderr())
            .contains("portfwd_relay_connections_total")
            .endsWith("\n200");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(SlowClients.summary(flood, log)[1]).as("answered 503").isPositive();
      } finally {
        flood.destroyForcibly();
        flood.waitFor(10, TimeUnit.SECONDS);
      }
      relay.signal("TERM");
      assertThat(relay.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }
}
