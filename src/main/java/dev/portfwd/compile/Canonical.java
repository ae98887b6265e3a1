package dev.portfwd.compile;

import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one spelling of a set of forwards. Kernels have no port-offset mapping, so a shifted range is
 * installed port by port and reads back as single ports (so is every range spread over several
 * backends); joining adjacent shifted pieces that agree in everything else gives the same list
 * whether it came from a table or from the kernel, which is what makes a second {@code apply} a
 * no-op.
 */
public final class Canonical {

  private Canonical() {}

  /** {@code forwards} sorted by {@link CompiledForward#ORDER}, adjacent shifted pieces joined. */
  public static List<CompiledForward> normalize(List<CompiledForward> forwards) {
    if (isSorted(forwards) && noShiftedRanges(forwards)) {
      return List.copyOf(
          forwards); // already canonical: every DesiredState of a plan passes here twice
    }
    List<CompiledForward> sorted = new ArrayList<>(forwards);
    sorted.sort(CompiledForward.ORDER);
    List<CompiledForward> joined = new ArrayList<>();
    // Pieces that may join are equal in every field but the ports, so they sort next to each
    // other only within one family/protocol; scan back over the whole list instead of assuming it.
    Map<Object, Integer> lastIndexByShape = new HashMap<>();
    for (CompiledForward next : sorted) {
      // Spread forwards are installed port by port whatever their offset (SpreadMaps).
      Object shape = next.portOffset() == 0 && next.spread().isEmpty() ? null : shape(next);
      Integer index = shape == null ? null : lastIndexByShape.get(shape);
      if (index != null) {
        CompiledForward previous = joined.get(index);
        if (previous.externalPorts().last() + 1 == next.externalPorts().first()) {
          joined.set(
              index,
              new CompiledForward(
                  previous.family(),
                  previous.externalAddress(),
                  previous.protocol(),
                  new PortRange(previous.externalPorts().first(), next.externalPorts().last()),
                  previous.backend(),
                  new PortRange(previous.backendPorts().first(), next.backendPorts().last()),
                  previous.allowedSources(),
                  previous.masquerade(),
                  previous.description(),
                  previous.snat(),
                  previous.spread()));
          continue;
        }
      }
      joined.add(next);
      if (shape != null) {
        lastIndexByShape.put(shape, joined.size() - 1);
      }
    }
    joined.sort(CompiledForward.ORDER);
    return List.copyOf(joined);
  }

  private static boolean isSorted(List<CompiledForward> forwards) {
    for (int i = 1; i < forwards.size(); i++) {
      if (CompiledForward.ORDER.compare(forwards.get(i - 1), forwards.get(i)) > 0) {
        return false;
      }
    }
    return true;
  }

  /** Only shifted or spread pieces can join; other same-port forwards stay as they are. */
  private static boolean noShiftedRanges(List<CompiledForward> forwards) {
    for (CompiledForward f : forwards) {
      if (f.portOffset() != 0 || f.spread().isPresent()) {
        return false;
      }
    }
    return true;
  }

  /** Everything but the ports, plus the offset: pieces of one shifted range share it. */
  private static Object shape(CompiledForward f) {
    return new Shape(
        f.family(),
        f.externalAddress(),
        f.protocol(),
        f.backend(),
        f.allowedSources(),
        f.masquerade(),
        f.description(),
        f.snat(),
        f.portOffset(),
        f.spread());
  }

  /**
   * {@link #shape}'s value. Plain equals and hashCode: a table of single shifted ports (external
   * 10000, backend 80) hashes one shape per forward, and a list-valued key or the record's
   * generated methods cost a cold JVM more (bench/RESULTS.md, "cold-start tricks").
   */
  private record Shape(
      IpFamily family,
      Optional<InetAddress> externalAddress,
      Protocol protocol,
      InetAddress backend,
      List<Cidr> allowedSources,
      boolean masquerade,
      String description,
      Optional<InetAddress> snat,
      int offset,
      Optional<Spread> spread) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Shape s
          && family == s.family
          && protocol == s.protocol
          && offset == s.offset
          && masquerade == s.masquerade
          && backend.equals(s.backend)
          && externalAddress.equals(s.externalAddress)
          && description.equals(s.description)
          && snat.equals(s.snat)
          && spread.equals(s.spread)
          && allowedSources.equals(s.allowedSources);
    }

    @Override
    public int hashCode() {
      int h = family.ordinal() * 31 + protocol.ordinal();
      h = h * 31 + offset;
      h = h * 31 + backend.hashCode();
      h = h * 31 + externalAddress.hashCode();
      h = h * 31 + description.hashCode();
      return h * 31 + allowedSources.hashCode();
    }
  }
}
