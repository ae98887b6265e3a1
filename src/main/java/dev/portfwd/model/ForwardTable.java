package dev.portfwd.model;

import java.util.List;
import java.util.Objects;

/**
 * A parsed forwarding table: the forwards in file order. {@code source} names where it came from (a
 * path, or {@code <stdin>}) for messages.
 */
public record ForwardTable(String source, List<Forward> forwards) {

  public ForwardTable {
    Objects.requireNonNull(source, "source");
    forwards = List.copyOf(forwards);
  }

  public boolean isEmpty() {
    return forwards.isEmpty();
  }
}
