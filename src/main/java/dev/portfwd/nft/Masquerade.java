package dev.portfwd.nft;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which translated connections postrouting masquerades. The set is keyed on the backend side
 * (address, protocol, port) because postrouting sees packets after DNAT; together with {@code ct
 * status dnat} it picks exactly the connections portfwd forwarded with masquerade on, and never
 * other traffic (nor connections other tools DNATed to other places).
 */
final class Masquerade {

  record Target(IpFamily family, InetAddress backend, Protocol protocol, PortRange ports) {
    boolean covers(IpFamily f, InetAddress address, Protocol p, PortRange range) {
      return family == f && backend.equals(address) && protocol == p && ports.overlaps(range);
    }
  }

  private Masquerade() {}

  /**
   * Backend port ranges of masquerading forwards, merged per backend and protocol into disjoint
   * ranges (interval sets refuse overlapping elements, and two forwards may share a backend).
   */
  static List<Target> targets(List<CompiledForward> forwards) {
    Map<List<Object>, List<PortRange>> byBackend = new LinkedHashMap<>();
    for (CompiledForward f : forwards) {
      if (f.masquerade()) {
        byBackend.computeIfAbsent(List.of(f.family(), f.backend(), f.protocol()), k -> new ArrayList<>())
            .add(f.backendPorts());
      }
    }
    List<Target> targets = new ArrayList<>();
    byBackend.forEach((k, ranges) -> {
      ranges.sort(Comparator.comparingInt(PortRange::first));
      PortRange current = null;
      for (PortRange r : ranges) {
        if (current != null && r.first() <= current.last() + 1) {
          current = new PortRange(current.first(), Math.max(current.last(), r.last()));
        } else {
          if (current != null) {
            targets.add(new Target((IpFamily) k.get(0), (InetAddress) k.get(1), (Protocol) k.get(2), current));
          }
          current = r;
        }
      }
      targets.add(new Target((IpFamily) k.get(0), (InetAddress) k.get(1), (Protocol) k.get(2), current));
    });
    targets.sort(Comparator.comparing(Target::family)
        .thenComparing(t -> Addresses.format(t.backend()))
        .thenComparing(Target::protocol)
        .thenComparingInt(t -> t.ports().first()));
    return targets;
  }

  /**
   * {@code forwards} as the kernel will run them: a {@code masquerade=no} forward whose backend
   * port another forward masquerades is masqueraded too (one connection tuple, one decision).
   */
  static List<CompiledForward> effective(List<CompiledForward> forwards) {
    List<Target> targets = targets(forwards);
    return forwards.stream()
        .map(f -> !f.masquerade() && targets.stream()
            .anyMatch(t -> t.covers(f.family(), f.backend(), f.protocol(), f.backendPorts()))
            ? f.withMasquerade(true) : f)
        .toList();
  }
}
