package dev.portfwd.nft;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * portfwd's table as the kernel holds it: absent, or present with its comment (the ruleset version)
 * and the elements of each of its sets and maps, counters included.
 */
record NftState(
    boolean exists, Optional<String> comment, Map<String, List<ElementCodec.Counted>> sets) {

  static NftState absent() {
    return new NftState(false, Optional.empty(), Map.of());
  }

  /** The {@link ElementDigest} the last transaction stored in the marker set, if any. */
  Optional<String> digest() {
    return sets.getOrDefault(Skeleton.MARKER, List.of()).stream()
        .map(counted -> counted.element().comment())
        .filter(comment -> comment.startsWith(ElementDigest.PREFIX))
        .findFirst();
  }

  /**
   * True when the table was built by this version's {@link Skeleton}, so elements can be patched.
   */
  boolean isCurrentVersion() {
    return exists && sets.containsKey(Skeleton.MARKER);
  }
}
