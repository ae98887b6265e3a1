package dev.portfwd.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code nft -j list ...} prints, read into its objects in the order nft lists them. The one
 * place that knows the shape of nft's JSON listing (nft 1.0.6, JSON schema 1): an {@code
 * "nftables"} array of objects that each have one key naming their kind, {@code {"table": {...}}},
 * {@code {"chain": {...}}}, {@code {"rule": {...}}}, {@code {"set": {...}}}, {@code {"map":
 * {...}}}. The backend reads its own table and sets through it ({@link NftJson}); doctor reads
 * other tools' chains and rules. Other kinds (metainfo, flowtables, ...) are skipped.
 *
 * <p>What a rule's statements or a set's elements mean depends on who asks, so they are handed over
 * as JSON: the backend decodes its own elements, doctor judges other tools' rules.
 */
public final class NftListing {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private NftListing() {}

  /** One object of a listing. */
  public sealed interface Entry permits Table, Chain, Rule, SetOrMap {}

  /** A table, with its comment when it has one. */
  public record Table(String family, String name, Optional<String> comment) implements Entry {}

  /**
   * A chain of {@code table}. A base chain has a type ({@code filter}, {@code nat}), a hook and a
   * policy; a regular chain has none of them and priority 0. The handle is new whenever the chain
   * is deleted and created again.
   */
  public record Chain(
      String family,
      String table,
      String name,
      String handle,
      Optional<String> type,
      Optional<String> hook,
      int priority,
      Optional<String> policy)
      implements Entry {}

  /**
   * A rule of {@code chain}, named by its kernel handle. Each expression is a JSON object with one
   * key naming the statement ({@code {"match": ...}}, {@code {"jump": ...}}, ...).
   */
  public record Rule(
      String family, String table, String chain, String handle, List<JsonNode> expressions)
      implements Entry {}

  /**
   * A set, or a map when {@code isMap}. Each element is as nft lists it: a key, or a {@code [key,
   * value]} pair in a map; a key with a comment or counter is wrapped in {@code {"elem": {"val",
   * "comment", "counter"}}}.
   */
  public record SetOrMap(
      String family, String table, String name, boolean isMap, List<JsonNode> elements)
      implements Entry {}

  /**
   * The objects {@code json} lists, in order; empty when it holds no {@code "nftables"} array,
   * which nft never prints.
   *
   * @throws IOException when {@code json} is not JSON; the message says where it broke
   */
  public static Optional<List<Entry>> read(String json) throws IOException {
    JsonNode root = MAPPER.readTree(json);
    JsonNode items = root == null ? null : root.get("nftables");
    if (items == null || !items.isArray()) {
      return Optional.empty();
    }
    List<Entry> entries = new ArrayList<>();
    for (JsonNode item : items) {
      String kind = item.fieldNames().hasNext() ? item.fieldNames().next() : "";
      JsonNode body = item.get(kind);
      switch (kind) {
        case "table" ->
            entries.add(
                new Table(
                    body.path("family").asText(),
                    body.path("name").asText(),
                    Optional.ofNullable(body.get("comment")).map(JsonNode::asText)));
        case "chain" ->
            entries.add(
                new Chain(
                    body.path("family").asText(),
                    body.path("table").asText(),
                    body.path("name").asText(),
                    body.path("handle").asText(),
                    text(body, "type"),
                    text(body, "hook"),
                    body.path("prio").asInt(0),
                    text(body, "policy")));
        case "rule" ->
            entries.add(
                new Rule(
                    body.path("family").asText(),
                    body.path("table").asText(),
                    body.path("chain").asText(),
                    body.path("handle").asText(),
                    list(body.path("expr"))));
        case "set", "map" ->
            entries.add(
                new SetOrMap(
                    body.path("family").asText(),
                    body.path("table").asText(),
                    body.path("name").asText(),
                    kind.equals("map"),
                    list(body.path("elem"))));
        default -> {
          // Not an object portfwd or doctor reads.
        }
      }
    }
    return Optional.of(entries);
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> nodes = new ArrayList<>();
    array.forEach(nodes::add);
    return nodes;
  }
}
