package dev.portfwd.table;

import java.util.Comparator;
import java.util.Objects;

/**
 * A problem found in a table, with its place: {@code file:line:column} (both 1-based; column counts
 * characters, a tab as one) and the text of that line so the caret can be drawn.
 */
public record Diagnostic(
    String file, int line, int column, Severity severity, String message, String sourceLine) {

  /** The most characters of a source line that {@link #render} shows. */
  public static final int SHOWN_LINE_CHARS = 120;

  /** How many of them at most come before the column. */
  private static final int SHOWN_BEFORE_COLUMN = 80;

  private static final String CUT = "\u2026";

  /** Sorts by place, then errors before warnings, as a compiler prints them. */
  public static final Comparator<Diagnostic> BY_PLACE =
      Comparator.comparingInt(Diagnostic::line)
          .thenComparingInt(Diagnostic::column)
          .thenComparing(Diagnostic::severity)
          .thenComparing(Diagnostic::message);

  public Diagnostic {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(sourceLine, "sourceLine");
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("places are 1-based: " + line + ":" + column);
    }
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /**
   * {@code file:line:col: error: message}, the first line of the printed form. The file name and
   * the message are escaped for a terminal ({@link TerminalText}).
   */
  public String headline() {
    return TerminalText.escape(file)
        + ":"
        + line
        + ":"
        + column
        + ": "
        + severity.label()
        + ": "
        + TerminalText.escape(message);
  }

  /**
   * The headline, the source line and a caret under the column. The source line is escaped for a
   * terminal and, when longer than {@value #SHOWN_LINE_CHARS} characters, cut to that many around
   * the column, with {@code …} where it was cut. The caret line copies the tabs before the column
   * and is as wide as the escapes, so the caret stays under the right character in any terminal.
   */
  public String render() {
    int at = Math.min(column - 1, sourceLine.length());
    int from = Math.max(0, at - SHOWN_BEFORE_COLUMN);
    int to = Math.min(sourceLine.length(), from + SHOWN_LINE_CHARS);
    from = Math.max(0, Math.min(from, to - SHOWN_LINE_CHARS));
    // Never cut a surrogate pair in half.
    if (from > 0 && Character.isLowSurrogate(sourceLine.charAt(from))) {
      from--;
    }
    if (to < sourceLine.length() && Character.isLowSurrogate(sourceLine.charAt(to))) {
      to++;
    }
    StringBuilder shown = new StringBuilder();
    StringBuilder caret = new StringBuilder();
    if (from > 0) {
      shown.append(CUT);
      caret.append(' ');
    }
    for (int i = from; i < to; ) {
      if (i < column - 1) {
        caret.append(
            sourceLine.charAt(i) == '\t'
                ? "\t"
                : " ".repeat(TerminalText.width(sourceLine, i, /* keepTabs= */ true)));
      }
      i = TerminalText.append(shown, sourceLine, i, /* keepTabs= */ true);
    }
    if (to < sourceLine.length()) {
      shown.append(CUT);
    }
    // A column past the end points at what is missing there.
    caret.append(" ".repeat(Math.max(0, column - 1 - sourceLine.length())));
    caret.append('^');
    return headline() + "\n" + shown + "\n" + caret;
  }
}
