package dev.portfwd.nft;

import java.util.List;

/**
 * One element of one of portfwd's sets or maps, in canonical text: the key parts, the value parts
 * (empty for a set) and the comment (empty for none). Built from a table by {@link ElementCodec}
 * and from the kernel by {@link NftJson} in the same spelling, so the two compare with equals.
 */
record NftElement(String set, List<String> key, List<String> value, String comment) {

  NftElement {
    key = List.copyOf(key);
    value = List.copyOf(value);
  }

  String keyText() {
    return String.join(" . ", key);
  }

  /**
   * The element as {@code add element} takes it. Map elements carry a counter (the maps are
   * declared with one) so {@code status} can read per-forward traffic.
   */
  String render() {
    return renderTo(new StringBuilder(64)).toString();
  }

  /**
   * Appends {@link #render()} to {@code text}: a transaction writes 10,000 of them into one buffer.
   */
  StringBuilder renderTo(StringBuilder text) {
    join(key, text);
    if (!value.isEmpty()) {
      text.append(" counter");
    }
    if (!comment.isEmpty()) {
      text.append(" comment \"").append(comment).append('"');
    }
    if (!value.isEmpty()) {
      join(value, text.append(" : "));
    }
    return text;
  }

  /** Appends {@link #keyText()} to {@code text}. */
  StringBuilder keyTextTo(StringBuilder text) {
    return join(key, text);
  }

  private static StringBuilder join(List<String> parts, StringBuilder text) {
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        text.append(" . ");
      }
      text.append(parts.get(i));
    }
    return text;
  }
}
