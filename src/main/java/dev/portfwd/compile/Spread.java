package dev.portfwd.compile;

import dev.portfwd.model.Balance;
import dev.portfwd.model.IpFamily;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The backends a forward spreads new connections over ({@code balance=roundrobin} or {@code hash}
 * with several backends in rotation), the first of them being the forward's {@code backend}. A
 * forward with one backend in rotation, or with failover, has none: the kernel sends it to one.
 */
public record Spread(Balance balance, List<InetAddress> backends) {

  public Spread {
    Objects.requireNonNull(balance, "balance");
    backends = List.copyOf(backends);
    if (balance == Balance.FAILOVER) {
      throw new IllegalArgumentException("failover sends every connection to one backend");
    }
    if (backends.size() < 2) {
      throw new IllegalArgumentException("a spread needs at least two backends");
    }
    IpFamily family = IpFamily.of(backends.get(0));
    if (backends.stream().anyMatch(b -> IpFamily.of(b) != family)) {
      throw new IllegalArgumentException("the backends of one forward share one IP version");
    }
  }
}
