package dev.portfwd.relay;

import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one listening socket does with what it accepts: the table line it serves, the backends in
 * rotation for its port (the first is {@code backend}) and the counters it adds to. A reload, or a
 * change of the backends in rotation, swaps a listener's route; connections already open keep the
 * backend they started with.
 *
 * @param turn the round-robin position, shared by the connections of this route only
 */
public record Route(
    Forward forward,
    InetSocketAddress backend,
    List<InetSocketAddress> backends,
    ForwardCounters counters,
    AtomicLong turn) {

  public Route {
    Objects.requireNonNull(forward, "forward");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(counters, "counters");
    backends = List.copyOf(backends);
    if (backends.isEmpty() || !backends.get(0).equals(backend)) {
      throw new IllegalArgumentException("a route's backends start with its backend");
    }
  }

  /** A route to one backend. */
  public Route(Forward forward, InetSocketAddress backend, ForwardCounters counters) {
    this(forward, backend, List.of(backend), counters, new AtomicLong());
  }

  /**
   * The backend a new connection or UDP session from {@code client} goes to: the first in rotation
   * for failover, each in turn for round robin, one chosen by the client's address for hash.
   */
  public InetSocketAddress backendFor(InetAddress client) {
    if (backends.size() == 1) {
      return backend;
    }
    return switch (forward.pool().balanceInEffect()) {
      case FAILOVER -> backend;
      case ROUNDROBIN -> backends.get((int) Math.floorMod(turn.getAndIncrement(), backends.size()));
      case HASH ->
          backends.get(
              Math.floorMod(
                  client == null
                      ? 0
                      : Arrays.hashCode(DualStackAddresses.unmap(client).getAddress()),
                  backends.size()));
    };
  }

  /** True when {@code source} may use this forward ({@code from=}; everyone when it is absent). */
  public boolean allows(InetAddress source) {
    if (!forward.isRestricted()) {
      return true;
    }
    InetAddress plain = DualStackAddresses.unmap(source);
    for (Cidr cidr : forward.allowedSources()) {
      if (cidr.contains(plain)) {
        return true;
      }
    }
    return false;
  }

  /** {@code line 3 (13102 -> 192.0.2.2:80)}: how log lines name the forward. */
  public String describe() {
    return "line "
        + forward.line()
        + " ("
        + forward.externalText()
        + " -> "
        + DualStackAddresses.format(backend)
        + ")";
  }
}
