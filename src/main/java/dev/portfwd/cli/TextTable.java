package dev.portfwd.cli;

import dev.portfwd.table.TerminalText;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Prints rows as left-aligned columns separated by two spaces, for people to read. Every cell is
 * escaped for a terminal ({@link TerminalText}): descriptions come from tables and kernel comments,
 * and a control or bidi character in one must neither act on the terminal nor shift the columns.
 */
final class TextTable {
  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();

  TextTable(String... header) {
    this.header = header;
  }

  TextTable row(String... cells) {
    rows.add(cells);
    return this;
  }

  @Override
  public String toString() {
    StringWriter text = new StringWriter();
    write(new PrintWriter(text), header, rows.size(), rows::get);
    return text.toString();
  }

  /**
   * Writes {@code count} rows, the cells of row {@code i} made by {@code row}, under {@code header}
   * to {@code out}. Makes each row twice, once to measure the columns and once to write it, and
   * keeps none: a table of a million rows costs no more memory than one row.
   */
  static void write(PrintWriter out, String[] header, int count, IntFunction<String[]> row) {
    int[] widths = new int[header.length];
    measure(widths, header);
    for (int i = 0; i < count; i++) {
      measure(widths, row.apply(i));
    }
    writeLine(out, widths, header);
    for (int i = 0; i < count; i++) {
      writeLine(out, widths, row.apply(i));
    }
    out.flush();
  }

  private static void measure(int[] widths, String[] cells) {
    for (int i = 0; i < widths.length; i++) {
      String cell = TerminalText.escape(cells[i]);
      widths[i] = Math.max(widths[i], cell.codePointCount(0, cell.length()));
    }
  }

  private static void writeLine(PrintWriter out, int[] widths, String[] cells) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      String cell = TerminalText.escape(cells[i]);
      line.append(cell);
      if (i < widths.length - 1) {
        line.append(" ".repeat(widths[i] - cell.codePointCount(0, cell.length()) + 2));
      }
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
