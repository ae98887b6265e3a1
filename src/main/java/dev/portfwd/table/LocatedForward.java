package dev.portfwd.table;

import dev.portfwd.model.Forward;

/**
 * A forward with the place of its line in the table's text, for messages (its columns are the
 * forward's own, {@link Forward#columns}). The line is cut from the text only when a message needs
 * it: a table of a million forwards keeps one copy of its text, not two.
 */
record LocatedForward(Forward forward, String text, int start, int end) {

  /** The text of the forward's line. */
  String sourceLine() {
    return text.substring(start, end);
  }

  int externalColumn() {
    return forward.columns().external();
  }

  int backendColumn() {
    return forward.columns().backend();
  }

  int snatColumn() {
    return forward.columns().option("snat");
  }
}
