package dev.portfwd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.Compiler;
import dev.portfwd.engine.EngineEvents.Outcome;
import dev.portfwd.table.TableParser;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);

  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger reads = new AtomicInteger();
  private List<LiveForward> live = new ArrayList<>();

  private ServiceMetrics metrics() {
    return new ServiceMetrics(
        new ForwardCounters(
            () -> {
              reads.incrementAndGet();
              return live;
            },
            Duration.ofSeconds(5),
            now::get),
        CLOCK);
  }

  static List<CompiledForward> forwards(String table) {
    try {
      return Compiler.compile(TableParser.parse("test.table", table).table()).forwards();
    } catch (CompileException e) {
      throw new AssertionError(e);
    }
  }

  private static String text(ServiceMetrics metrics) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, metrics.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void exportsEachForwardsCountersWithTheLabelsStatusShows() throws IOException {
    List<CompiledForward> table =
        forwards("13102 192.0.2.2 80 tcp # Netbook \"Apache\"\n13103 192.0.2.3 22 tcp\n");
    live =
        List.of(new LiveForward(table.get(0), 12, 3400, 2), new LiveForward(table.get(1), 0, 0, 0));

    String text = text(metrics());

    assertThat(text)
        .contains(
            "portfwd_forward_packets_total{backend=\"192.0.2.2:80\",description=\"Netbook \\\"Apache\\\"\",external=\"13102/tcp\"} 12.0")
        .contains(
            "portfwd_forward_bytes_total{backend=\"192.0.2.2:80\",description=\"Netbook \\\"Apache\\\"\",external=\"13102/tcp\"} 3400.0")
        .contains(
            "portfwd_forward_connections{backend=\"192.0.2.2:80\",description=\"Netbook \\\"Apache\\\"\",external=\"13102/tcp\"} 2.0")
        .contains(
            "portfwd_forward_packets_total{backend=\"192.0.2.3:22\",description=\"\",external=\"13103/tcp\"} 0.0")
        .contains("portfwd_forwards 2.0")
        .contains("# TYPE portfwd_forward_packets_total counter");
  }

  @Test
  void exportsASpreadForwardsCountersOncePerBackend() throws Exception {
    CompiledForward spread =
        forwards("13102 192.0.2.2,192.0.2.18 80 tcp balance=roundrobin # web\n").get(0);
    live =
        List.of(
            new LiveForward(
                spread,
                30,
                3000,
                4,
                List.of(
                    new LiveForward.BackendCounter(
                        java.net.InetAddress.getByName("192.0.2.2"), 10, 1000),
                    new LiveForward.BackendCounter(
                        java.net.InetAddress.getByName("192.0.2.18"), 20, 2000))));

    String text = text(metrics());

    assertThat(text)
        .contains(
            "portfwd_forward_packets_total{backend=\"192.0.2.2:80\",description=\"web\",external=\"13102/tcp\"} 10.0")
        .contains(
            "portfwd_forward_packets_total{backend=\"192.0.2.18:80\",description=\"web\",external=\"13102/tcp\"} 20.0")
        .contains(
            "portfwd_forward_bytes_total{backend=\"192.0.2.18:80\",description=\"web\",external=\"13102/tcp\"} 2000.0")
        .contains(
            "portfwd_forward_connections{backend=\"192.0.2.2:80,192.0.2.18:80 roundrobin\",description=\"web\",external=\"13102/tcp\"} 4.0")
        .doesNotContain("portfwd_forward_packets_total{backend=\"192.0.2.2:80,192.0.2.18:80");
  }

  @Test
  void leavesConnectionsOutWhereConntrackIsMissing() throws IOException {
    live = List.of(new LiveForward(forwards("13102 192.0.2.2 80 tcp\n").get(0), 1, 60, -1));

    assertThat(text(metrics()))
        .contains("portfwd_forward_packets_total{")
        .doesNotContain("portfwd_forward_connections");
  }

  @Test
  void readsTheKernelAtMostOncePerMaxAge() throws IOException {
    live = List.of(new LiveForward(forwards("13102 192.0.2.2 80 tcp\n").get(0), 1, 60, -1));
    ServiceMetrics metrics = metrics();
    text(metrics);
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    live = List.of(new LiveForward(live.get(0).forward(), 5, 300, -1));
    assertThat(text(metrics)).contains("} 1.0"); // the cached read
    assertThat(reads).hasValue(1);

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(text(metrics)).contains("} 5.0");
    assertThat(reads).hasValue(2);
  }

  @Test
  void aFailedKernelReadExportsNoForwardSeries() throws IOException {
    ServiceMetrics metrics =
        new ServiceMetrics(
            new ForwardCounters(
                () -> {
                  throw new IOException("nft: no such table");
                },
                Duration.ofSeconds(5),
                now::get),
            CLOCK);

    assertThat(text(metrics))
        .doesNotContain("portfwd_forward_packets_total{")
        .contains("portfwd_forwards 0.0");
  }

  @Test
  void countsAppliesByResultDriftRepairsAndTheTablesValidity() throws IOException {
    ServiceMetrics metrics = metrics();
    String before = text(metrics);
    assertThat(before)
        .contains("portfwd_apply_total{result=\"ok\"} 0.0")
        .contains("portfwd_apply_total{result=\"failed\"} 0.0")
        .contains("portfwd_apply_total{result=\"invalid\"} 0.0")
        .contains("portfwd_drift_repairs_total 0.0");

    metrics.tableRead(true);
    metrics.changed(Outcome.OK, Duration.ofMillis(30));
    metrics.changed(Outcome.FAILED, Duration.ofMillis(300));
    metrics.driftRepaired();
    metrics.changed(Outcome.OK, Duration.ofMillis(20));
    metrics.tableRead(false);

    assertThat(text(metrics))
        .contains("portfwd_apply_total{result=\"ok\"} 2.0")
        .contains("portfwd_apply_total{result=\"failed\"} 1.0")
        .contains("portfwd_apply_total{result=\"invalid\"} 1.0")
        .contains("portfwd_drift_repairs_total 1.0")
        .contains("portfwd_table_valid 0.0")
        .contains("portfwd_last_apply_timestamp_seconds 1.7E9")
        .contains("portfwd_apply_duration_seconds_count 3")
        .contains("portfwd_apply_duration_seconds_bucket{le=\"0.05\"} 2")
        .contains("# TYPE portfwd_apply_duration_seconds histogram");
  }

  @Test
  void countsAClientsInvalidApplyWithoutMarkingTheWatchedTableInvalid() throws IOException {
    ServiceMetrics metrics = metrics();
    metrics.tableRead(true);
    metrics.invalidApply();
    assertThat(text(metrics))
        .contains("portfwd_apply_total{result=\"invalid\"} 1.0")
        .contains("portfwd_table_valid 1.0");
  }

  @Test
  void exportsOnlyTheDocumentedNames() throws IOException {
    live = List.of(new LiveForward(forwards("13102 192.0.2.2 80 tcp\n").get(0), 1, 60, 0));

    ServiceMetrics metrics = metrics();
    metrics.nameResolved("game.test", true);
    metrics.backendHealth("13102/tcp", "192.0.2.2:80", true);
    List<String> names =
        text(metrics)
            .lines()
            .filter(line -> line.startsWith("# TYPE "))
            .map(line -> line.split(" ")[2])
            .sorted()
            .toList();

    assertThat(names).isEqualTo(MetricNames.SERVICE.stream().sorted().toList());
  }
}
