package dev.portfwd.metrics;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Addresses;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The per-forward metrics, read from the kernel through a {@link Source} ({@code Engine#status()}
 * in the service): {@code portfwd_forward_packets_total}, {@code portfwd_forward_bytes_total},
 * {@code portfwd_forward_connections} (only when conntrack counted) and {@code portfwd_forwards}. A
 * forward spread over several backends has its packets and bytes once per backend (label {@code
 * backend} naming that one), and its connections under the forward's own labels.
 *
 * <p>Reading 10,000 forwards' counters costs the kernel and {@code nft} real time, so a read is
 * kept for {@code maxAge} and scrapes within it share it: at most one kernel read per {@code
 * maxAge}, whatever the number of scrapers. A read that fails exports no per-forward series until
 * the next one succeeds (a gap in the graphs, never a wrong value), and is not retried before
 * {@code maxAge} either.
 */
public final class ForwardCounters implements MultiCollector {

  /** Where the counters come from: the installed forwards with their counters. */
  @FunctionalInterface
  public interface Source {
    List<LiveForward> read() throws Exception;
  }

  private final Source source;
  private final long maxAgeNanos;
  private final LongSupplier nanoTime;

  private List<LiveForward> cached = List.of();
  private boolean haveRead;
  private long readAt;

  /**
   * @param nanoTime {@link System#nanoTime} but in tests
   */
  ForwardCounters(Source source, Duration maxAge, LongSupplier nanoTime) {
    this.source = source;
    this.maxAgeNanos = maxAge.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The forwards as last read, reading again when the last read is older than {@code maxAge}. */
  synchronized List<LiveForward> forwards() {
    long now = nanoTime.getAsLong();
    if (!haveRead || now - readAt >= maxAgeNanos) {
      try {
        cached = List.copyOf(source.read());
      } catch (Exception e) {
        cached = List.of();
      }
      haveRead = true;
      readAt = now;
    }
    return cached;
  }

  @Override
  public MetricSnapshots collect() {
    List<LiveForward> forwards = forwards();
    // Two forwards could print the same labels (they never should); their series are summed so
    // the exposition stays valid.
    Map<Labels, long[]> byLabels = new LinkedHashMap<>();
    for (LiveForward live : forwards) {
      long[] sums = byLabels.computeIfAbsent(labels(live.forward()), l -> new long[] {0, 0, -1});
      if (live.backends().isEmpty()) {
        sums[0] += live.packets();
        sums[1] += live.bytes();
      } else {
        // A spread forward: one series per backend; the forward's own labels keep its
        // connections (conntrack counts them per forward).
        sums[0] = -1;
        for (LiveForward.BackendCounter b : live.backends()) {
          long[] each =
              byLabels.computeIfAbsent(labels(live.forward(), b), l -> new long[] {0, 0, -1});
          each[0] += b.packets();
          each[1] += b.bytes();
        }
      }
      if (live.connections() >= 0) {
        sums[2] = Math.max(sums[2], 0) + live.connections();
      }
    }
    CounterSnapshot.Builder packets =
        CounterSnapshot.builder()
            .name("portfwd_forward_packets")
            .help("Packets clients sent through each forward since it was installed.");
    CounterSnapshot.Builder bytes =
        CounterSnapshot.builder()
            .name("portfwd_forward_bytes")
            .help("Bytes clients sent through each forward since it was installed.");
    GaugeSnapshot.Builder connections =
        GaugeSnapshot.builder()
            .name("portfwd_forward_connections")
            .help("Connections conntrack holds for each forward now (absent without conntrack).");
    boolean anyConnections = false;
    for (Map.Entry<Labels, long[]> entry : byLabels.entrySet()) {
      long[] sums = entry.getValue();
      if (sums[0] >= 0) {
        packets.dataPoint(
            CounterDataPointSnapshot.builder().labels(entry.getKey()).value(sums[0]).build());
        bytes.dataPoint(
            CounterDataPointSnapshot.builder().labels(entry.getKey()).value(sums[1]).build());
      }
      if (sums[2] >= 0) {
        anyConnections = true;
        connections.dataPoint(
            GaugeDataPointSnapshot.builder().labels(entry.getKey()).value(sums[2]).build());
      }
    }
    GaugeSnapshot count =
        GaugeSnapshot.builder()
            .name("portfwd_forwards")
            .help("Forwards installed in the kernel.")
            .dataPoint(GaugeDataPointSnapshot.builder().value(forwards.size()).build())
            .build();
    MetricSnapshots.Builder all =
        MetricSnapshots.builder().metricSnapshot(packets.build()).metricSnapshot(bytes.build());
    if (anyConnections) {
      all.metricSnapshot(connections.build());
    }
    return all.metricSnapshot(count).build();
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(
        "portfwd_forward_packets",
        "portfwd_forward_bytes",
        "portfwd_forward_connections",
        "portfwd_forwards");
  }

  /**
   * What {@code status} shows of a forward: {@code external}, {@code backend}, {@code description}.
   */
  static Labels labels(CompiledForward forward) {
    return Labels.of(
        "external", forward.externalText(),
        "backend", forward.backendText(),
        "description", forward.description());
  }

  /** The labels of one backend's share of a spread forward: {@code backend} is that backend. */
  static Labels labels(CompiledForward forward, LiveForward.BackendCounter backend) {
    return Labels.of(
        "external", forward.externalText(),
        "backend", Addresses.withPort(backend.backend(), forward.backendPorts()),
        "description", forward.description());
  }
}
