package dev.portfwd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Scrapes;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watch --http} end to end: the service in the gateway namespace of the reference topology,
 * traffic from the client through a forward, and {@code /metrics} fetched from inside the gateway
 * namespace: the forward's packet counter above zero, the text accepted by {@code promtool check
 * metrics}, OpenMetrics on request.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MetricsIT {

  private static final int PORT = 9470;
  private static final String TABLE = "13102 " + Topology.BACKEND + " 80 tcp # Netbook Apache\n";
  private static final Pattern PACKETS =
      Pattern.compile(
          "^portfwd_forward_packets_total\\{backend=\"192\\.0\\.2\\.2:80\",description=\"Netbook"
              + " Apache\",external=\"13102/tcp\"} ([0-9.eE+]+)$",
          Pattern.MULTILINE);

  @TempDir Path dir;

  private static String fetch(Topology topology, String path, String accept) {
    return Scrapes.fetch(topology, "gateway", PORT, path, accept);
  }

  @Test
  void countsTrafficThroughAForwardAndPassesPromtool() throws Exception {
    Files.writeString(dir.resolve("t.txt"), TABLE);
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      List<String> argv =
          PortfwdJar.commandIn(
              topology,
              "gateway",
              "watch",
              "--state-dir",
              "state",
              "--control",
              "c.sock",
              "--http",
              "127.0.0.1:" + PORT,
              "t.txt");
      Process watch =
          new ProcessBuilder(argv)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("watch.log").toFile())
              .start();
      try {
        awaitLog("metrics at http://127.0.0.1:" + PORT + "/metrics", Duration.ofSeconds(30));
        awaitLog("watching", Duration.ofSeconds(30)); // the table is applied
        assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102)).startsWith("web ");

        // Counters are cached for a few seconds: poll, bounded, until the read after the traffic.
        String response = "";
        double packets = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (packets == 0 && System.nanoTime() < deadline) {
          response = fetch(topology, "/metrics", "text/plain");
          Matcher matcher = PACKETS.matcher(Scrapes.body(response));
          packets = matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
          if (packets == 0) {
            Thread.sleep(1000);
          }
        }
        assertThat(packets).as("packets counted in:\n%s", response).isPositive();
        assertThat(response).startsWith("HTTP/1.1 200").contains("text/plain; version=0.0.4");
        String text = Scrapes.body(response);
        assertThat(text)
            .contains("portfwd_forwards 1.0")
            .contains("portfwd_apply_total{result=\"ok\"} 1.0")
            .contains("portfwd_table_valid 1.0");
        Scrapes.promtoolAccepts(dir, text);

        String open =
            fetch(
                topology,
                "/metrics",
                "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
        assertThat(open).contains("Content-type: application/openmetrics-text");
        assertThat(Scrapes.body(open))
            .contains("portfwd_forward_packets_total{")
            .endsWith("# EOF\n");

        assertThat(fetch(topology, "/nothing", "*/*")).startsWith("HTTP/1.1 404");

        // An apply the service refuses for its input counts as invalid; the file stays valid.
        CommandResult refused =
            PortfwdJar.runIn(
                topology,
                "gateway",
                "apply",
                "--state-dir",
                dir.resolve("state").toString(),
                "--control",
                dir.resolve("c.sock").toString(),
                "--confirm",
                "0",
                dir.resolve("t.txt").toString());
        assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
        assertThat(Scrapes.body(fetch(topology, "/metrics", "text/plain")))
            .contains("portfwd_apply_total{result=\"invalid\"} 1.0")
            .contains("portfwd_table_valid 1.0");
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
    }
  }

  private void awaitLog(String line, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Path log = dir.resolve("watch.log");
    while (!(Files.exists(log) && Files.readString(log).contains(line))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "not within " + timeout.toSeconds() + " s: " + line + "\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }
}
