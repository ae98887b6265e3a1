package dev.portfwd.table;

import dev.portfwd.model.Forward;

/**
 * A forward with the place of its line in the table's text and the columns of its external and
 * backend columns and of its {@code snat=} option (its backend column without one), for messages.
 * The line is cut from the text only when a message needs it: a table of a million forwards keeps
 * one copy of its text, not two.
 */
record LocatedForward(
    Forward forward,
    String text,
    int start,
    int end,
    int externalColumn,
    int backendColumn,
    int snatColumn) {

  /** The text of the forward's line. */
  String sourceLine() {
    return text.substring(start, end);
  }
}
