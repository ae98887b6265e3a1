package dev.portfwd.iptables;

import dev.portfwd.compile.BackendBlock;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Backend tuples (address, protocol, merged port ranges) that postrouting masquerades and that the
 * forward chain accepts. Rules keyed on the backend side stay few however many forwards there are
 * (one per backend and block of ports), so a forwarded packet crosses a handful of rules, not one
 * per forward; {@code --ctstate DNAT} keeps them to connections that were DNATed.
 */
final class BackendTargets {

  record Target(IpFamily family, InetAddress backend, Protocol protocol, PortRange ports) {
    boolean covers(CompiledForward f) {
      return family == f.family()
          && backend.equals(f.backend())
          && protocol == f.protocol()
          && ports.overlaps(f.backendPorts());
    }
  }

  private BackendTargets() {}

  /**
   * Targets of every forward in {@code forwards} ({@code masqueradingOnly}: of those that
   * masquerade).
   */
  static List<Target> of(List<CompiledForward> forwards, boolean masqueradingOnly) {
    return BackendBlock.merge(forwards, masqueradingOnly).stream()
        .map(b -> new Target(b.family(), b.backend(), b.protocol(), b.ports()))
        .sorted(
            Comparator.comparing(Target::family)
                .thenComparing(t -> t.backend().getAddress(), Arrays::compareUnsigned)
                .thenComparing(Target::protocol)
                .thenComparingInt(t -> t.ports().first()))
        .toList();
  }

  /**
   * {@code forwards} as the kernel will run them: a {@code masquerade=no} forward whose backend
   * port another forward masquerades is masqueraded too, since postrouting sees only the backend
   * tuple (the same rule as the nftables backend, so both report the same).
   */
  static List<CompiledForward> effective(List<CompiledForward> forwards) {
    return BackendBlock.effective(forwards);
  }

  /** {@code 192.0.2.2} or {@code 2001:db8:2::2}, as conntrack's options print it. */
  static String address(Target target) {
    return Addresses.format(target.backend());
  }
}
