package dev.portfwd.metrics;

import dev.portfwd.engine.EngineEvents;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;

/**
 * The metrics of {@code portfwd watch}, under fixed names (README, "Metrics"). It hears of every
 * change the service's engine makes as its {@link EngineEvents} listener (the watch loop's and the
 * CLI's requests alike, since they share the engine), of each read of the watched table through
 * {@link #tableRead}, and reads the forwards' counters through a {@link ForwardCounters.Source} at
 * scrape time, at most once per {@code counterMaxAge}.
 *
 * <p>Its registry is its own, not the library's default one: nothing else registers into it.
 */
public final class ServiceMetrics implements EngineEvents {

  /** How long a kernel read of the forward counters serves scrapes. */
  public static final Duration COUNTER_MAX_AGE = Duration.ofSeconds(5);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Clock clock;
  private final Counter applies;
  private final Histogram applyDuration;
  private final Counter driftRepairs;
  private final Gauge tableValid;
  private final Gauge lastApply;
  private final Counter dnsResolutions;
  private final Gauge backendUp;

  /**
   * @param forwards the installed forwards with their counters ({@code Engine#status()})
   * @param counterMaxAge how long one read of them serves scrapes
   */
  public ServiceMetrics(ForwardCounters.Source forwards, Duration counterMaxAge, Clock clock) {
    this(new ForwardCounters(forwards, counterMaxAge, System::nanoTime), clock);
  }

  ServiceMetrics(ForwardCounters forwardCounters, Clock clock) {
    this.clock = clock;
    registry.register(forwardCounters);
    applies =
        Counter.builder()
            .name("portfwd_apply_total")
            .help(
                "Changes the service made or tried, by result: ok, failed (the kernel or the"
                    + " state directory refused), invalid (the watched table, or a table a"
                    + " client applied through the service, has errors).")
            .labelNames("result")
            .register(registry);
    for (String result : new String[] {"ok", "failed", "invalid"}) {
      applies.initLabelValues(result);
    }
    applyDuration =
        Histogram.builder()
            .name("portfwd_apply_duration_seconds")
            .help("How long each change took, lock wait included.")
            .classicOnly()
            .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    driftRepairs =
        Counter.builder()
            .name("portfwd_drift_repairs_total")
            .help("Times the live rules had drifted from the table and were re-applied.")
            .register(registry);
    tableValid =
        Gauge.builder()
            .name("portfwd_table_valid")
            .help("1 when the watched table file last read without errors, 0 when it has errors.")
            .register(registry);
    lastApply =
        Gauge.builder()
            .name("portfwd_last_apply_timestamp_seconds")
            .help("When the last successful change ended, in seconds since the epoch (0: none).")
            .register(registry);
    dnsResolutions =
        Counter.builder()
            .name("portfwd_dns_resolutions")
            .help("Look-ups of backend names, by name and result (ok, failed).")
            .labelNames("name", "result")
            .register(registry);
    backendUp =
        Gauge.builder()
            .name("portfwd_backend_up")
            .help(
                "1 when the last checks found the backend alive (in rotation), 0 when down; for"
                    + " forwards with several backends or a name.")
            .labelNames("external", "backend")
            .register(registry);
  }

  /** A backend name was looked up. */
  public void nameResolved(String name, boolean ok) {
    dnsResolutions.labelValues(name, ok ? "ok" : "failed").inc();
  }

  /** A backend's health after a round of checks. */
  public void backendHealth(String external, String backend, boolean up) {
    backendUp.labelValues(external, backend).set(up ? 1 : 0);
  }

  @Override
  public void changed(Outcome outcome, Duration took) {
    applies.labelValues(outcome == Outcome.OK ? "ok" : "failed").inc();
    applyDuration.observe(took.toNanos() / 1e9);
    if (outcome == Outcome.OK) {
      lastApply.set(clock.millis() / 1000.0);
    }
  }

  @Override
  public void driftRepaired() {
    driftRepairs.inc();
  }

  /**
   * The watched table was read: {@code valid} false when it has errors, which counts as an {@code
   * invalid} apply (the rules in force stay).
   */
  public void tableRead(boolean valid) {
    tableValid.set(valid ? 1 : 0);
    if (!valid) {
      applies.labelValues("invalid").inc();
    }
  }

  /** A client's apply through the service was refused for its input: counts as {@code invalid}. */
  public void invalidApply() {
    applies.labelValues("invalid").inc();
  }

  /** Every metric now; reads the forward counters when the last read is older than allowed. */
  public MetricSnapshots scrape() {
    return registry.scrape();
  }
}
