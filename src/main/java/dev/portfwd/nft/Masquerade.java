package dev.portfwd.nft;

import dev.portfwd.compile.BackendBlock;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.SnatBlock;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;

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
    return BackendBlock.merge(SnatBlock.withoutSnat(forwards), /* masqueradingOnly= */ true)
        .stream()
        .map(b -> new Target(b.family(), b.backend(), b.protocol(), b.ports()))
        .sorted(
            Comparator.comparing(Target::family)
                .thenComparing(t -> Addresses.format(t.backend()))
                .thenComparing(Target::protocol)
                .thenComparingInt(t -> t.ports().first()))
        .toList();
  }

  /**
   * {@code forwards} as the kernel will run them: a {@code masquerade=no} forward whose backend
   * port another forward masquerades is masqueraded too (one connection tuple, one decision).
   */
  static List<CompiledForward> effective(List<CompiledForward> forwards) {
    return BackendBlock.effective(forwards);
  }
}
