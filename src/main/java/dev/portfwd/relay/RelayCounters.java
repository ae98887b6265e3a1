package dev.portfwd.relay;

import dev.portfwd.model.Forward;
import dev.portfwd.model.Protocol;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one place that holds the relay's counters, one {@link ForwardCounters} per forward and
 * protocol. A forward is known by its external side ({@code 13102}, {@code 198.51.100.7:443}), so
 * its counters carry on across reloads even when its line moves. Metrics exporters read {@link
 * #snapshot()}.
 */
public final class RelayCounters {

  private final ConcurrentMap<String, ForwardCounters> byForward = new ConcurrentHashMap<>();

  /** The counters of {@code forward} for {@code protocol}, created on first use. */
  public ForwardCounters of(Forward forward, Protocol protocol) {
    String external = forward.externalText();
    return byForward.computeIfAbsent(
        protocol.keyword() + " " + external, k -> new ForwardCounters(external, protocol));
  }

  /** Every forward's counters, sorted by protocol and forward. */
  public List<ForwardCounters.Snapshot> snapshot() {
    return byForward.values().stream()
        .map(ForwardCounters::snapshot)
        .sorted(
            Comparator.comparing((ForwardCounters.Snapshot s) -> s.protocol())
                .thenComparing(ForwardCounters.Snapshot::forward))
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
