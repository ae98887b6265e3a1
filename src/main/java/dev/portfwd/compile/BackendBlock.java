package dev.portfwd.compile;

import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend address, protocol and a block of its ports that forwards lead to. Postrouting and the
 * forward hook see packets after DNAT, so both kernel backends key masquerade (and iptables its
 * forward accept) on these blocks: one decision per connection tuple, and few rules or elements
 * however many forwards share a backend.
 */
public record BackendBlock(
    IpFamily family, InetAddress backend, Protocol protocol, PortRange ports) {

  /** True when {@code forward}'s translated connections land in this block. */
  public boolean covers(CompiledForward forward) {
    return family == forward.family()
        && backend.equals(forward.backend())
        && protocol == forward.protocol()
        && ports.overlaps(forward.backendPorts());
  }

  /**
   * The backend ports of {@code forwards} (only those that masquerade when {@code
   * masqueradingOnly}), merged per backend and protocol into disjoint blocks: interval sets refuse
   * overlapping elements, and two forwards may share a backend. Groups keep their first
   * appearance's order; each backend sorts as its output needs.
   */
  public static List<BackendBlock> merge(List<CompiledForward> forwards, boolean masqueradingOnly) {
    // One bit per port and group: cheaper than sorting range objects in a cold JVM
    // (bench/RESULTS.md,
    // "cold-start tricks"), and adjacent ranges join by themselves.
    Map<Target, BitSet> byBackend = new LinkedHashMap<>();
    Target last = null;
    BitSet lastPorts = null;
    for (CompiledForward f : forwards) {
      if (f.masquerade() || !masqueradingOnly) {
        Target target = new Target(f.family(), f.backend(), f.protocol());
        if (!target.equals(last)) { // tables list many forwards to one backend in a row
          last = target;
          lastPorts = byBackend.computeIfAbsent(target, k -> new BitSet());
        }
        lastPorts.set(f.backendPorts().first(), f.backendPorts().last() + 1);
      }
    }
    List<BackendBlock> blocks = new ArrayList<>();
    byBackend.forEach(
        (k, ports) -> {
          for (int first = ports.nextSetBit(0); first >= 0; ) {
            int end = ports.nextClearBit(first);
            blocks.add(
                new BackendBlock(k.family, k.backend, k.protocol, new PortRange(first, end - 1)));
            first = ports.nextSetBit(end);
          }
        });
    return blocks;
  }

  /** A backend address and protocol, the group blocks are merged in; plain equals and hashCode. */
  private record Target(IpFamily family, InetAddress backend, Protocol protocol) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Target t
          && family == t.family
          && protocol == t.protocol
          && backend.equals(t.backend);
    }

    @Override
    public int hashCode() {
      return (family.ordinal() * 31 + backend.hashCode()) * 31 + protocol.ordinal();
    }
  }

  /**
   * {@code forwards} as the kernel will run them: a {@code masquerade=no} forward whose backend
   * port another forward masquerades is masqueraded too, since postrouting sees only the backend
   * tuple. Both backends report the same through this one rule. Such a forward's whole backend
   * range then masquerades, which may reach a further one: repeated until nothing changes. Returns
   * {@code forwards} itself when no forward changes.
   */
  public static List<CompiledForward> effective(List<CompiledForward> forwards) {
    if (forwards.stream().allMatch(CompiledForward::masquerade)) {
      return forwards; // the usual table: merging blocks would change nothing
    }
    List<CompiledForward> current = forwards;
    while (true) {
      List<BackendBlock> masquerading = merge(current, /* masqueradingOnly= */ true);
      boolean changed = false;
      List<CompiledForward> next = new ArrayList<>(current.size());
      for (CompiledForward f : current) {
        if (!f.masquerade() && masquerading.stream().anyMatch(b -> b.covers(f))) {
          next.add(f.withMasquerade(true));
          changed = true;
        } else {
          next.add(f);
        }
      }
      if (!changed) {
        return current;
      }
      current = List.copyOf(next);
    }
  }
}
