package dev.portfwd.relay;

import dev.portfwd.model.Forward;
import dev.portfwd.model.Protocol;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one place that holds the relay's counters, one {@link ForwardCounters} per forward and
 * protocol. A forward is known by its external and backend sides ({@code 13102} to {@code
 * 192.0.2.2:80}), so its counters carry on across reloads even when its line moves, and a reload
 * that points a port at another backend starts that backend's own counters, as a metrics exporter
 * labelled by backend needs. Metrics exporters read {@link #snapshot()}.
 */
public final class RelayCounters {

  private final ConcurrentMap<String, ForwardCounters> byForward = new ConcurrentHashMap<>();

  /** The counters of {@code forward} for {@code protocol}, created on first use. */
  public ForwardCounters of(Forward forward, Protocol protocol) {
    String external = forward.externalText();
    String backend = forward.backendText();
    return byForward.computeIfAbsent(
        protocol.keyword() + " " + external + " " + backend,
        k -> new ForwardCounters(external, backend, protocol));
  }

  /** Every forward's counters, sorted by protocol and forward. */
  public List<ForwardCounters.Snapshot> snapshot() {
    return byForward.values().stream()
        .map(ForwardCounters::snapshot)
        .sorted(
            Comparator.comparing((ForwardCounters.Snapshot s) -> s.protocol())
                .thenComparing(ForwardCounters.Snapshot::forward)
                .thenComparing(ForwardCounters.Snapshot::backend))
        .toList();
  }

  /** Open TCP connections over all forwards (what a drain waits for). */
  public long activeTcp() {
    return byForward.values().stream()
        .map(ForwardCounters::snapshot)
        .filter(s -> s.protocol() == Protocol.TCP)
        .mapToLong(ForwardCounters.Snapshot::active)
        .sum();
  }
}
