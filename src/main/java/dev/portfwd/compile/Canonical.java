package dev.portfwd.compile;

import java.util.ArrayList;
import java.util.List;

/**
 * The one spelling of a set of forwards. Kernels have no port-offset mapping, so a shifted range
 * is installed port by port and reads back as single ports; joining adjacent shifted pieces that
 * agree in everything else gives the same list whether it came from a table or from the kernel,
 * which is what makes a second {@code apply} a no-op.
 */
public final class Canonical {

  private Canonical() {}

  /** {@code forwards} sorted by {@link CompiledForward#ORDER}, adjacent shifted pieces joined. */
  public static List<CompiledForward> normalize(List<CompiledForward> forwards) {
    if (isSorted(forwards) && noShiftedRanges(forwards)) {
      return List.copyOf(forwards); // already canonical: every DesiredState of a plan passes here twice
    }
    List<CompiledForward> sorted = new ArrayList<>(forwards);
    sorted.sort(CompiledForward.ORDER);
    List<CompiledForward> joined = new ArrayList<>();
    // Pieces that may join are equal in every field but the ports, so they sort next to each
    // other only within one family/protocol; scan back over the whole list instead of assuming it.
    java.util.Map<Object, Integer> lastIndexByShape = new java.util.HashMap<>();
    for (CompiledForward next : sorted) {
      Object shape = next.portOffset() == 0 ? null : shape(next);
      Integer index = shape == null ? null : lastIndexByShape.get(shape);
      if (index != null) {
        CompiledForward previous = joined.get(index);
        if (previous.externalPorts().last() + 1 == next.externalPorts().first()) {
          joined.set(index, new CompiledForward(previous.family(), previous.externalAddress(),
              previous.protocol(),
              new dev.portfwd.model.PortRange(previous.externalPorts().first(), next.externalPorts().last()),
              previous.backend(),
              new dev.portfwd.model.PortRange(previous.backendPorts().first(), next.backendPorts().last()),
              previous.allowedSources(), previous.masquerade(), previous.description()));
          continue;
        }
      }
      joined.add(next);
      if (next.portOffset() != 0) {
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

  /** Only shifted pieces can join; same-port forwards stay as they are. */
  private static boolean noShiftedRanges(List<CompiledForward> forwards) {
    for (CompiledForward f : forwards) {
      if (f.portOffset() != 0) {
        return false;
      }
    }
    return true;
  }

  /** Everything but the ports, plus the offset: pieces of one shifted range share it. */
  private static Object shape(CompiledForward f) {
    return List.of(f.family(), f.externalAddress(), f.protocol(), f.backend(), f.allowedSources(),
        f.masquerade(), f.description(), f.portOffset());
  }
}
