package dev.portfwd.table;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One blank-separated column of a table line with its 1-based column; owns how a line is cut into
 * columns and what shape each column has.
 */
record Token(String text, int column) {

  /** Written instead of a backend port: the backend gets the same ports as the external side. */
  static final String SAME_PORTS_WORD = "RANGE";

  /** What a column after the backend address looks like, before it is read. */
  enum Shape {
    PORT,
    PROTOCOL,
    OPTION,
    UNKNOWN
  }

  /**
   * The columns of {@code columns} (a line without its comment), split on blanks: spaces, tabs,
   * no-break spaces and control characters (reported separately, so they only split here). Cut one
   * at a time as they are read, so a line of millions of columns is never held as a list.
   */
  static Iterator<Token> split(String columns) {
    return new Iterator<>() {
      private int i = skipBlanks(columns, 0);

      @Override
      public boolean hasNext() {
        return i < columns.length();
      }

      @Override
      public Token next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int start = i;
        while (i < columns.length() && !isBlank(columns.charAt(i))) {
          i++;
        }
        Token token = new Token(columns.substring(start, i), start + 1);
        i = skipBlanks(columns, i);
        return token;
      }
    };
  }

  private static int skipBlanks(String columns, int i) {
    while (i < columns.length() && isBlank(columns.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\u00A0' || Character.isISOControl(c);
  }

  /** True for {@code RANGE} in any case. */
  boolean isSamePortsWord() {
    return text.equalsIgnoreCase(SAME_PORTS_WORD);
  }

  /**
   * The shape of this column: {@code key=value} is an option, a digit or {@code RANGE} a port, a
   * short word or a comma list of letters a protocol, anything else unknown.
   */
  Shape shape() {
    if (text.indexOf('=') > 0) {
      return Shape.OPTION;
    }
    if (isSamePortsWord() || Character.isDigit(text.charAt(0))) {
      return Shape.PORT;
    }
    boolean protocolShaped = true;
    for (int i = 0; i < text.length() && protocolShaped; i++) {
      protocolShaped = Character.isLetter(text.charAt(i)) || text.charAt(i) == ',';
    }
    if (protocolShaped && (text.indexOf(',') >= 0 || text.length() <= 4)) {
      return Shape.PROTOCOL;
    }
    return Shape.UNKNOWN;
  }
}
