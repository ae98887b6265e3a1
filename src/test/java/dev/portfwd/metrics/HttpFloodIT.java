package dev.portfwd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.SlowClients;
import dev.portfwd.testing.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watch --http} under a slowloris flood, end to end: the built jar in the gateway namespace,
 * one client opening hundreds of connections that each send half a request and stall, and a second
 * client (another address) meanwhile scraping {@code /metrics} and logging in to the dashboard with
 * curl. The second client is served at once; the flood's connections over its address's limit are
 * answered 503.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HttpFloodIT {

  private static final int PORT = 9483;
  private static final String PASSWORD = "flood test password";
  private static final String SCRAPER = "203.0.113.20";
  private static final String BASE = "http://" + Topology.GATEWAY_WAN + ":" + PORT;
  private static final int FLOOD = 400;

  @TempDir Path dir;

  private static CommandResult curl(Topology topology, String... args) {
    List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--max-time", "5"));
    argv.addAll(List.of(args));
    return topology.exec("scraper", argv.toArray(String[]::new));
  }

  @Test
  void aFloodOfSlowConnectionsFromOneClientLeavesAnotherClientsMetricsAndLoginWorking()
      throws Exception {
    Path table =
        Files.writeString(dir.resolve("ports.txt"), "13102 " + Topology.BACKEND + " 80 tcp\n");
    Path state = dir.resolve("state");
    CommandResult passwd =
        PortfwdJar.run(PASSWORD + "\n", "passwd", "--stdin", "--state-dir", state.toString());
    assertThat(passwd.exitCode()).as(passwd.stderr()).isZero();
    try (Topology topology = Topology.reference()) {
      topology.addClient("scraper", SCRAPER, null);
      Path log = dir.resolve("watch.log");
      Process watch = PortfwdJar.startWatchWithDashboard(topology, log, state, PORT, table);
      Process flood = null;
      try {
        Path floodLog = dir.resolve("flood.log");
        flood =
            SlowClients.flood(
                topology, "client", Topology.GATEWAY_WAN, PORT, FLOOD, /* seconds= */ 8, floodLog);

        long start = System.nanoTime();
        CommandResult metrics = curl(topology, "-w", "\n%{http_code}", BASE + "/metrics");
        assertThat(metrics.stdout())
            .as("a scrape during the flood: %s", metrics.stderr())
            .contains("portfwd_forwards 1.0")
            .endsWith("\n200");
        CommandResult login =
            curl(
                topology,
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--data-urlencode",
                "password=" + PASSWORD,
                BASE + "/login");
        assertThat(login.stdout())
            .as("a login during the flood: %s", login.stderr())
            .isEqualTo("303");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("both answered while the flood holds its connections")
            .isLessThan(Duration.ofSeconds(6));

        int[] summary = SlowClients.summary(flood, floodLog);
        assertThat(summary[0]).isEqualTo(FLOOD);
        assertThat(summary[3])
            .as("connections the flood still held")
            .isLessThanOrEqualTo(HttpEndpoint.CONNECTIONS_PER_ADDRESS);
        assertThat(summary[1]).as("connections answered 503").isPositive();
      } finally {
        if (flood != null) {
          flood.destroyForcibly();
          flood.waitFor(10, TimeUnit.SECONDS);
        }
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
    }
  }
}
