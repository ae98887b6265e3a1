package dev.portfwd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The table text of a dashboard change that waits for confirmation, kept in the state directory
 * beside the pending record ({@code dashboard-pending.json}: its id, the watched table file and the
 * text). Whoever confirms it writes the text to that file, so watch keeps what was confirmed: the
 * page, {@code portfwd confirm} through the service, and {@code portfwd confirm --direct}, which
 * knows no watched file but this record's. Read only under the state lock, from a state directory
 * that {@link StateStore#lock()} checked (only root can change it), so the file named is trusted as
 * the other records are.
 */
final class WaitingTableText {

  /** What waits: the file to write on confirmation and its text. */
  record Waiting(Path table, String text) {}

  private WaitingTableText() {}

  static Path file(StateStore store) {
    return store.dir().resolve("dashboard-pending.json");
  }

  /** Keeps {@code text} for the confirmation {@code id} of a change to {@code table}. */
  static void write(StateStore store, String id, Path table, String text) throws IOException {
    ObjectNode node = ForwardJson.MAPPER.createObjectNode();
    node.put("id", id);
    node.put("table", table.toAbsolutePath().toString());
    node.put("text", text);
    new WatchedTableFile(file(store)).write(ForwardJson.MAPPER.writeValueAsString(node) + "\n");
  }

  /**
   * The text kept for the confirmation {@code id}; empty when none is, or it belongs to another (an
   * older change whose confirmation never came).
   */
  static Optional<Waiting> read(StateStore store, String id) throws IOException {
    Optional<String> json = new WatchedTableFile(file(store)).read();
    if (json.isEmpty()) {
      return Optional.empty();
    }
    JsonNode node;
    try {
      node = ForwardJson.MAPPER.readTree(json.get());
    } catch (IOException e) {
      throw new IOException(file(store) + " is damaged (" + e.getMessage() + "); move it away", e);
    }
    if (node == null
        || !node.path("id").asText("").equals(id)
        || !node.path("table").isTextual()
        || !node.path("text").isTextual()) {
      return Optional.empty();
    }
    return Optional.of(new Waiting(Path.of(node.get("table").asText()), node.get("text").asText()));
  }

  static void delete(StateStore store) throws IOException {
    Files.deleteIfExists(file(store));
  }
}
