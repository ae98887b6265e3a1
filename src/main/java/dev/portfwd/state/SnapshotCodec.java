package dev.portfwd.state;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The file form of {@link Snapshot}s and {@link PendingConfirmation}s: a first line of JSON with
 * what describes the state, then one {@link ForwardLine} per forward. Readable by people and {@code
 * head -1 | jq}; fast to write and compare for large tables. Reading rejects anything malformed
 * with {@link IllegalArgumentException} rather than guessing. The header goes through {@link
 * HeaderJson}, not Jackson: see there why.
 */
final class SnapshotCodec {

  private SnapshotCodec() {}

  static String write(Snapshot snapshot) {
    return body(header(snapshot), snapshot.lines());
  }

  static Snapshot read(String text) throws IOException {
    List<String> lines = lines(text);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("empty file");
    }
    return snapshot(header(lines.get(0)), lines.subList(1, lines.size()));
  }

  static String write(PendingConfirmation pending) {
    HeaderJson header =
        header(pending.restore())
            .put("pendingId", pending.id())
            .put("deadline", pending.deadline().toString())
            .put("pendingBackend", pending.backend())
            .put("generation", pending.generation())
            .put("switchOff", new TreeSet<>(pending.switchOff()))
            .put("applied", pending.applied());
    return body(header, pending.restore().lines());
  }

  static PendingConfirmation readPending(String text) throws IOException {
    List<String> lines = lines(text);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("empty file");
    }
    Map<?, ?> header = header(lines.get(0));
    Snapshot restore = snapshot(header, lines.subList(1, lines.size()));
    Set<String> off = new TreeSet<>();
    HeaderJson.elements(required(header, "switchOff"))
        .forEach(key -> off.add(HeaderJson.asText(key)));
    StateValidator.requireForwardingSysctls("switchOff", off);
    return new PendingConfirmation(
        text(header, "pendingId"),
        Instant.parse(text(header, "deadline")),
        text(header, "pendingBackend"),
        HeaderJson.asLong(required(header, "generation")),
        restore,
        off,
        text(header, "applied"));
  }

  /** The {@link PendingConfirmation.Head} in the first line of a pending record. */
  static PendingConfirmation.Head readPendingHead(String firstLine) {
    Map<?, ?> header = header(firstLine);
    return new PendingConfirmation.Head(
        text(header, "pendingId"),
        Instant.parse(text(header, "deadline")),
        text(header, "pendingBackend"));
  }

  private static HeaderJson header(Snapshot snapshot) {
    return new HeaderJson()
        .put("source", snapshot.source())
        .put("appliedAt", snapshot.appliedAt().toString())
        .put("backend", snapshot.backend())
        .put("forwardingOn", new TreeSet<>(snapshot.forwardingOn()))
        .put("forwards", snapshot.lines().size());
  }

  private static String body(HeaderJson header, List<String> lines) {
    StringBuilder text = new StringBuilder(64 + lines.size() * 64).append(header).append('\n');
    for (String line : lines) {
      text.append(line).append('\n');
    }
    return text.toString();
  }

  /** The header line's object; a header that is not one is as damaged as a malformed one. */
  private static Map<?, ?> header(String line) {
    if (HeaderJson.parse(line) instanceof Map<?, ?> header) {
      return header;
    }
    throw new IllegalArgumentException("the first line is not a JSON object");
  }

  /** {@link String#lines()} without the stream: a state file has one line per forward. */
  private static List<String> lines(String text) {
    List<String> lines = new ArrayList<>(text.length() / 48 + 1);
    int start = 0;
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        lines.add(text.substring(start, i));
        if (c == '\r' && i + 1 < length && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < length) {
      lines.add(text.substring(start));
    }
    return lines;
  }

  private static Snapshot snapshot(Map<?, ?> header, List<String> lines) {
    int forwards = (int) HeaderJson.asLong(required(header, "forwards"));
    if (forwards != lines.size()) {
      throw new IllegalArgumentException(
          "truncated: " + lines.size() + " of " + forwards + " forwards");
    }
    Set<String> on = new TreeSet<>();
    HeaderJson.elements(required(header, "forwardingOn"))
        .forEach(key -> on.add(HeaderJson.asText(key)));
    // Restores switch these on and off as root: a file naming any other sysctl is not portfwd's.
    StateValidator.requireForwardingSysctls("forwardingOn", on);
    return new Snapshot(
        text(header, "source"),
        Instant.parse(text(header, "appliedAt")),
        text(header, "backend"),
        lines,
        on);
  }

  private static Object required(Map<?, ?> header, String field) {
    if (!header.containsKey(field)) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return header.get(field);
  }

  private static String text(Map<?, ?> header, String field) {
    return HeaderJson.asText(required(header, field));
  }
}
