package dev.portfwd.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The file form of {@link Snapshot}s and {@link PendingConfirmation}s: a first line of JSON with
 * what describes the state, then one {@link ForwardLine} per forward. Readable by people and
 * {@code head -1 | jq}; fast to write and compare for large tables. Reading rejects anything
 * malformed with {@link IllegalArgumentException} rather than guessing.
 */
final class SnapshotCodec {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SnapshotCodec() {}

  static String write(Snapshot snapshot) {
    return body(header(snapshot), snapshot.lines());
  }

  static Snapshot read(String text) throws IOException {
    List<String> lines = text.lines().toList();
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("empty file");
    }
    return snapshot(MAPPER.readTree(lines.get(0)), lines.subList(1, lines.size()));
  }

  static String write(PendingConfirmation pending) {
    ObjectNode header = header(pending.restore());
    header.put("pendingId", pending.id());
    header.put("deadline", pending.deadline().toString());
    header.put("pendingBackend", pending.backend());
    header.put("generation", pending.generation());
    ArrayNode off = header.putArray("switchOff");
    pending.switchOff().stream().sorted().forEach(off::add);
    header.put("applied", pending.applied());
    return body(header, pending.restore().lines());
  }

  static PendingConfirmation readPending(String text) throws IOException {
    List<String> lines = text.lines().toList();
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("empty file");
    }
    JsonNode header = MAPPER.readTree(lines.get(0));
    Snapshot restore = snapshot(header, lines.subList(1, lines.size()));
    Set<String> off = new TreeSet<>();
    required(header, "switchOff").forEach(key -> off.add(key.asText()));
    return new PendingConfirmation(text(header, "pendingId"), Instant.parse(text(header, "deadline")),
        text(header, "pendingBackend"), required(header, "generation").asLong(), restore, off, text(header, "applied"));
  }

  private static ObjectNode header(Snapshot snapshot) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("source", snapshot.source());
    node.put("appliedAt", snapshot.appliedAt().toString());
    node.put("backend", snapshot.backend());
    ArrayNode on = node.putArray("forwardingOn");
    snapshot.forwardingOn().stream().sorted().forEach(on::add);
    node.put("forwards", snapshot.lines().size());
    return node;
  }

  private static String body(ObjectNode header, List<String> lines) {
    StringBuilder text = new StringBuilder(64 + lines.size() * 64).append(header).append('\n');
    lines.forEach(line -> text.append(line).append('\n'));
    return text.toString();
  }

  private static Snapshot snapshot(JsonNode header, List<String> lines) {
    if (required(header, "forwards").asInt() != lines.size()) {
      throw new IllegalArgumentException("truncated: " + lines.size() + " of " + header.get("forwards").asInt()
          + " forwards");
    }
    Set<String> on = new TreeSet<>();
    required(header, "forwardingOn").forEach(key -> on.add(key.asText()));
    return new Snapshot(text(header, "source"), Instant.parse(text(header, "appliedAt")), text(header, "backend"),
        new ArrayList<>(lines), on);
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return value;
  }

  private static String text(JsonNode node, String field) {
    return required(node, field).asText();
  }
}
