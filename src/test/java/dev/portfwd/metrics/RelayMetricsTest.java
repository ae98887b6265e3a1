package dev.portfwd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import dev.portfwd.relay.ForwardCounters;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RelayMetricsTest {

  private static final ForwardCounters.Snapshot TCP =
      new ForwardCounters.Snapshot("13102", "192.0.2.2:80", Protocol.TCP, 2, 7, 100, 2000, 1, 3, 0);
  private static final ForwardCounters.Snapshot UDP =
      new ForwardCounters.Snapshot(
          "[2001:db8::1]:53", "[2001:db8::2]:53", Protocol.UDP, 4, 9, 10, 20, 5, 0, 6);

  private static String text(RelayMetrics metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, metrics.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void exportsEveryFamilyUnderTheNamesReadmeLists() {
    TreeSet<String> names = new TreeSet<>();
    for (MetricSnapshot snapshot : new RelayMetrics(() -> List.of(TCP, UDP)).scrape()) {
      String name = snapshot.getMetadata().getPrometheusName();
      names.add(
          snapshot instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot
              ? name + "_total"
              : name);
    }
    assertThat(names).containsExactlyElementsOf(new TreeSet<>(MetricNames.RELAY));
  }

  @Test
  void labelsEachForwardByExternalSideWithProtocolAndByBackend() throws Exception {
    String text = text(new RelayMetrics(() -> List.of(TCP, UDP)));
    assertThat(text)
        .contains(
            "portfwd_relay_connections_total{backend=\"192.0.2.2:80\",external=\"13102/tcp\"} 7.0",
            "portfwd_relay_connections_open{backend=\"192.0.2.2:80\",external=\"13102/tcp\"} 2.0",
            "portfwd_relay_bytes_total{backend=\"192.0.2.2:80\",direction=\"to_backend\","
                + "external=\"13102/tcp\"} 100.0",
            "portfwd_relay_bytes_total{backend=\"192.0.2.2:80\",direction=\"to_client\","
                + "external=\"13102/tcp\"} 2000.0",
            "portfwd_relay_refused_total{backend=\"192.0.2.2:80\",external=\"13102/tcp\"} 1.0",
            "portfwd_relay_errors_total{backend=\"192.0.2.2:80\",external=\"13102/tcp\"} 3.0",
            "portfwd_relay_udp_sessions{backend=\"[2001:db8::2]:53\","
                + "external=\"[2001:db8::1]:53/udp\"} 4.0",
            "portfwd_relay_udp_dropped_total{backend=\"[2001:db8::2]:53\","
                + "external=\"[2001:db8::1]:53/udp\"} 6.0");
    // Open connections are TCP's, sessions and dropped datagrams UDP's: no family shows the other
    // protocol.
    assertThat(text)
        .doesNotContain("portfwd_relay_connections_open{backend=\"[2001:db8::2]:53\"")
        .doesNotContain("portfwd_relay_udp_sessions{backend=\"192.0.2.2:80\"")
        .doesNotContain("portfwd_relay_udp_dropped_total{backend=\"192.0.2.2:80\"");
  }

  @Test
  void readsTheCountersAtEveryScrape() throws Exception {
    List<List<ForwardCounters.Snapshot>> reads = new java.util.ArrayList<>();
    reads.add(List.of(TCP));
    RelayMetrics metrics = new RelayMetrics(() -> reads.get(reads.size() - 1));
    assertThat(text(metrics)).contains("external=\"13102/tcp\"} 7.0");
    reads.add(
        List.of(
            new ForwardCounters.Snapshot(
                "13102", "192.0.2.2:80", Protocol.TCP, 0, 8, 100, 2000, 1, 3, 0)));
    assertThat(text(metrics)).contains("external=\"13102/tcp\"} 8.0");
  }
}
