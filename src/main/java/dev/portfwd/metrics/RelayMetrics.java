package dev.portfwd.metrics;

import dev.portfwd.model.Protocol;
import dev.portfwd.relay.ForwardCounters;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.function.Supplier;

/**
 * The metrics of {@code portfwd relay --http}, under fixed names (README, "Metrics"), read at
 * scrape time from the relay's own counters: in-memory sums, so a scrape costs no kernel read and
 * needs no cache.
 *
 * <p>{@code external} carries the protocol ({@code 13102/tcp}) as the service's metrics do, so a
 * dashboard can join the two; UDP sessions count as connections in the totals, and {@code
 * portfwd_relay_connections_open} is TCP's while {@code portfwd_relay_udp_sessions} is UDP's.
 */
public final class RelayMetrics implements MultiCollector {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Supplier<List<ForwardCounters.Snapshot>> counters;

  /**
   * @param counters the relay's counters now ({@code RelayCounters#snapshot()})
   */
  public RelayMetrics(Supplier<List<ForwardCounters.Snapshot>> counters) {
    this.counters = counters;
    registry.register(this);
  }

  /** Every metric now. */
  public MetricSnapshots scrape() {
    return registry.scrape();
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot.Builder total =
        CounterSnapshot.builder()
            .name("portfwd_relay_connections")
            .help("TCP connections and UDP sessions the relay accepted, per forward.");
    GaugeSnapshot.Builder open =
        GaugeSnapshot.builder()
            .name("portfwd_relay_connections_open")
            .help("TCP connections the relay holds open now, per forward.");
    GaugeSnapshot.Builder sessions =
        GaugeSnapshot.builder()
            .name("portfwd_relay_udp_sessions")
            .help("UDP sessions (one per client address and port) the relay holds now.");
    CounterSnapshot.Builder bytes =
        CounterSnapshot.builder()
            .name("portfwd_relay_bytes")
            .help("Payload bytes the relay passed, to_backend (from clients) or to_client.");
    CounterSnapshot.Builder refused =
        CounterSnapshot.builder()
            .name("portfwd_relay_refused")
            .help("Clients the relay turned away: from= or a connection or session limit.");
    CounterSnapshot.Builder errors =
        CounterSnapshot.builder()
            .name("portfwd_relay_errors")
            .help("Connections that failed: backend refused or unreachable, timeout, reset.");
    CounterSnapshot.Builder dropped =
        CounterSnapshot.builder()
            .name("portfwd_relay_udp_dropped")
            .help(
                "UDP datagrams dropped: the relay's queue towards the backend or client was full,"
                    + " or the kernel's receive buffer of one of its sockets.");
    for (ForwardCounters.Snapshot forward : counters.get()) {
      Labels labels =
          Labels.of(
              "external",
              forward.forward() + "/" + forward.protocol().keyword(),
              "backend",
              forward.backend());
      total.dataPoint(counter(labels, forward.total()));
      if (forward.protocol() == Protocol.TCP) {
        open.dataPoint(gauge(labels, forward.active()));
      } else {
        sessions.dataPoint(gauge(labels, forward.active()));
        dropped.dataPoint(counter(labels, forward.dropped()));
      }
      bytes.dataPoint(counter(labels.add("direction", "to_backend"), forward.bytesToBackend()));
      bytes.dataPoint(counter(labels.add("direction", "to_client"), forward.bytesToClient()));
      refused.dataPoint(counter(labels, forward.refused()));
      errors.dataPoint(counter(labels, forward.errors()));
    }
    return MetricSnapshots.builder()
        .metricSnapshot(total.build())
        .metricSnapshot(open.build())
        .metricSnapshot(sessions.build())
        .metricSnapshot(bytes.build())
        .metricSnapshot(refused.build())
        .metricSnapshot(errors.build())
        .metricSnapshot(dropped.build())
        .build();
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(
        "portfwd_relay_connections",
        "portfwd_relay_connections_open",
        "portfwd_relay_udp_sessions",
        "portfwd_relay_bytes",
        "portfwd_relay_refused",
        "portfwd_relay_errors",
        "portfwd_relay_udp_dropped");
  }

  private static CounterDataPointSnapshot counter(Labels labels, long value) {
    return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static GaugeDataPointSnapshot gauge(Labels labels, long value) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
