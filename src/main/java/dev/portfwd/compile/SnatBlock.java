package dev.portfwd.compile;

import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link BackendBlock} whose connections both kernel backends translate to {@code source} ({@code
 * snat=}) instead of masquerading them: postrouting sees the backend tuple, so the decision is
 * keyed on it as masquerade's is.
 */
public record SnatBlock(
    IpFamily family, InetAddress backend, Protocol protocol, PortRange ports, InetAddress source) {

  /** True when a connection to this backend tuple is translated by this block. */
  public boolean covers(IpFamily f, InetAddress address, Protocol p, PortRange range) {
    return family == f && backend.equals(address) && protocol == p && ports.overlaps(range);
  }

  /**
   * The blocks of the forwards with {@code snat=}, merged per backend, protocol and source address,
   * in a fixed order (family, backend address, protocol, first port).
   */
  public static List<SnatBlock> merge(List<CompiledForward> forwards) {
    Map<InetAddress, List<CompiledForward>> bySource = new LinkedHashMap<>();
    for (CompiledForward f : forwards) {
      f.snat().ifPresent(s -> bySource.computeIfAbsent(s, k -> new ArrayList<>()).add(f));
    }
    List<SnatBlock> blocks = new ArrayList<>();
    bySource.forEach(
        (source, group) -> {
          for (BackendBlock b : BackendBlock.merge(group, /* masqueradingOnly= */ false)) {
            blocks.add(new SnatBlock(b.family(), b.backend(), b.protocol(), b.ports(), source));
          }
        });
    blocks.sort(
        Comparator.comparing(SnatBlock::family)
            .thenComparing(b -> b.backend().getAddress(), Arrays::compareUnsigned)
            .thenComparing(SnatBlock::protocol)
            .thenComparingInt(b -> b.ports().first()));
    return blocks;
  }

  /** {@code forwards} without those that have {@code snat=}: the ones masquerade handles. */
  public static List<CompiledForward> withoutSnat(List<CompiledForward> forwards) {
    for (CompiledForward f : forwards) {
      if (f.snat().isPresent()) {
        return forwards.stream().filter(g -> g.snat().isEmpty()).toList();
      }
    }
    return forwards; // the common case: no copy
  }

  /** The source address of the block in {@code blocks} covering a backend tuple, if any. */
  public static Optional<InetAddress> sourceFor(
      List<SnatBlock> blocks, IpFamily family, InetAddress backend, Protocol p, PortRange ports) {
    for (SnatBlock b : blocks) {
      if (b.covers(family, backend, p, ports)) {
        return Optional.of(b.source());
      }
    }
    return Optional.empty();
  }
}
