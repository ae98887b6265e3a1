package dev.portfwd.metrics;

import java.util.List;

/** The names {@code portfwd watch --http} and {@code relay --http} export, as README lists them. */
public final class MetricNames {

  private MetricNames() {}

  /** Every metric family of the service; counters with their {@code _total}. */
  public static final List<String> SERVICE =
      List.of(
          "portfwd_forward_packets_total",
          "portfwd_forward_bytes_total",
          "portfwd_forward_connections",
          "portfwd_forwards",
          "portfwd_apply_total",
          "portfwd_apply_duration_seconds",
          "portfwd_drift_repairs_total",
          "portfwd_table_valid",
          "portfwd_last_apply_timestamp_seconds",
          "portfwd_dns_resolutions_total",
          "portfwd_backend_up");

  /** Every metric family of {@code portfwd relay --http}; counters with their {@code _total}. */
  public static final List<String> RELAY =
      List.of(
          "portfwd_relay_connections_total",
          "portfwd_relay_connections_open",
          "portfwd_relay_udp_sessions",
          "portfwd_relay_bytes_total",
          "portfwd_relay_refused_total",
          "portfwd_relay_errors_total",
          "portfwd_relay_udp_dropped_total");
}
