package dev.portfwd.compile;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Normalises {@code from=} lists: sorted, duplicates and blocks inside a wider block dropped.
 * Kernel interval sets refuse overlapping elements, and a forward read back from the kernel must
 * compare equal to the compiled one, so both sides go through here.
 */
final class SourceBlocks {

  private static final Comparator<Cidr> ORDER =
      Comparator.comparingInt(Cidr::prefixLength).thenComparing(c -> Addresses.format(c.network()));

  private SourceBlocks() {}

  static List<Cidr> normalize(List<Cidr> sources) {
    if (sources.size() < 2) {
      return List.copyOf(sources); // already in order; nothing can cover anything
    }
    // Widest first, so a block is kept only when no wider kept block holds it.
    List<Cidr> sorted = new ArrayList<>(sources);
    sorted.sort(ORDER);
    List<Cidr> kept = new ArrayList<>();
    for (Cidr candidate : sorted) {
      boolean covered =
          kept.stream()
              .anyMatch(
                  k ->
                      k.prefixLength() <= candidate.prefixLength()
                          && k.contains(candidate.network()));
      if (!covered) {
        kept.add(candidate);
      }
    }
    kept.sort(
        Comparator.comparing((Cidr c) -> c.network().getAddress().length)
            .thenComparing(c -> c.network().getAddress(), Arrays::compareUnsigned)
            .thenComparingInt(Cidr::prefixLength));
    return List.copyOf(kept);
  }
}
