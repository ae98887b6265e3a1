package dev.portfwd.relay;

import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What one listening socket does with what it accepts: the table line it serves, the backend
 * address for its port and the counters it adds to. Immutable; a reload swaps a listener's route,
 * and connections already open keep the route they started with.
 */
public record Route(Forward forward, InetSocketAddress backend, ForwardCounters counters) {

  public Route {
    Objects.requireNonNull(forward, "forward");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(counters, "counters");
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
