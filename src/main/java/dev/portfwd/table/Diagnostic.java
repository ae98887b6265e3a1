package dev.portfwd.table;

import java.util.Comparator;
import java.util.Objects;

/**
 * A problem found in a table, with its place: {@code file:line:column} (both 1-based; column counts
 * characters, a tab as one) and the text of that line so the caret can be drawn.
 */
public record Diagnostic(
    String file, int line, int column, Severity severity, String message, String sourceLine) {

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

  /** {@code file:line:col: error: message}, the first line of the printed form. */
  public String headline() {
    return file + ":" + line + ":" + column + ": " + severity.label() + ": " + message;
  }

  /**
   * The headline, the source line and a caret under the column. Tabs before the column are kept in
   * the caret line so the caret stays under the right character in any terminal.
   */
  public String render() {
    StringBuilder caret = new StringBuilder();
    for (int i = 0; i < column - 1 && i < sourceLine.length(); i++) {
      caret.append(sourceLine.charAt(i) == '\t' ? '\t' : ' ');
    }
    for (int i = sourceLine.length(); i < column - 1; i++) {
      caret.append(' ');
    }
    caret.append('^');
    return headline() + "\n" + sourceLine + "\n" + caret;
  }
}
