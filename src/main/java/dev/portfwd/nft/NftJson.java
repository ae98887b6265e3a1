package dev.portfwd.nft;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code nft -j list table inet portfwd} into an {@link NftState}, through {@link
 * NftListing}. Only the table entry and the set and map entries matter: chains and rules are fixed
 * by the table's version comment.
 *
 * <p>Shapes handled (nft 1.0.6, JSON schema 1): an element is a scalar, {@code {"concat": [...]}},
 * {@code {"range": [a, b]}} or {@code {"prefix": {"addr", "len"}}}, wrapped in {@code {"elem":
 * {"val", "comment", "counter"}}} when it carries a comment or counter; map elements are {@code
 * [key, value]} pairs.
 */
final class NftJson {

  private NftJson() {}

  static NftState parse(String json) throws IOException {
    boolean exists = false;
    Optional<String> comment = Optional.empty();
    Map<String, List<ElementCodec.Counted>> sets = new LinkedHashMap<>();
    for (NftListing.Entry entry : NftListing.read(json).orElse(List.of())) {
      if (entry instanceof NftListing.Table table && table.name().equals("portfwd")) {
        exists = true;
        comment = table.comment();
      } else if (entry instanceof NftListing.SetOrMap set && set.table().equals("portfwd")) {
        List<ElementCodec.Counted> elements = new ArrayList<>();
        for (JsonNode elem : set.elements()) {
          elements.add(
              element(
                  set.name(), set.isMap() ? elem.get(0) : elem, set.isMap() ? elem.get(1) : null));
        }
        sets.put(set.name(), elements);
      }
    }
    return new NftState(exists, comment, sets);
  }

  private static ElementCodec.Counted element(String set, JsonNode key, JsonNode value) {
    String comment = "";
    long packets = 0;
    long bytes = 0;
    if (key.isObject() && key.has("elem")) {
      JsonNode elem = key.get("elem");
      comment = elem.path("comment").asText("");
      packets = elem.path("counter").path("packets").asLong(0);
      bytes = elem.path("counter").path("bytes").asLong(0);
      key = elem.get("val");
    }
    return new ElementCodec.Counted(
        new NftElement(set, parts(key), value == null ? List.of() : parts(value), comment),
        packets,
        bytes);
  }

  private static List<String> parts(JsonNode node) {
    List<String> parts = new ArrayList<>();
    if (node.isObject() && node.has("concat")) {
      node.get("concat").forEach(part -> parts.add(scalar(part)));
    } else {
      parts.add(scalar(node));
    }
    return parts;
  }

  /** One key or value part in the spelling {@link ElementCodec} writes. */
  private static String scalar(JsonNode node) {
    if (node.isObject() && node.has("range")) {
      return scalar(node.get("range").get(0)) + "-" + scalar(node.get("range").get(1));
    }
    if (node.isObject() && node.has("prefix")) {
      JsonNode prefix = node.get("prefix");
      return NftText.cidr(
          NftText.parseCidr(prefix.path("addr").asText() + "/" + prefix.path("len").asInt()));
    }
    String text = node.asText();
    // Addresses: re-print canonically so IPv6 spellings compare equal.
    return text.indexOf(':') >= 0 || text.chars().filter(c -> c == '.').count() == 3
        ? NftText.cidr(NftText.parseCidr(text))
        : text;
  }
}
