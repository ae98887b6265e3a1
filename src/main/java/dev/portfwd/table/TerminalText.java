package dev.portfwd.table;

/**
 * Makes text from a table safe to show on a terminal: every character that a terminal acts on
 * instead of showing, or that hides or reorders what is shown, becomes a visible escape in plain
 * ASCII: {@code \x1b} for ESC, <code>&#92;u202e</code> for RIGHT-TO-LEFT OVERRIDE, {@code
 * \U000e0041} for a tag character.
 *
 * <p>Escaped: controls (C0, DEL, C1), format characters (Unicode category Cf: the bidirectional
 * marks, embeddings, overrides and isolates U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, the
 * zero-width characters U+200B–U+200D, U+2060, U+FEFF, soft hyphens, tag characters), the line and
 * paragraph separators U+2028 and U+2029, and halves of surrogate pairs that stand alone.
 * Everything else, other scripts included, is kept as it is.
 */
public final class TerminalText {

  private TerminalText() {}

  /** {@code text} with every unsafe character escaped, tabs and line ends included. */
  public static String escape(String text) {
    int i = 0;
    while (i < text.length() && !isUnsafe(text.codePointAt(i))) {
      i += Character.charCount(text.codePointAt(i));
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
    while (i < text.length()) {
      i = append(out, text, i, /* keepTabs= */ false);
    }
    return out.toString();
  }

  /**
   * {@code text}, cut to its first {@code chars} characters and {@code …} when longer, so that what
   * a file says cannot flood a terminal however long it is. Never splits a surrogate pair. Does not
   * escape: escape the result.
   */
  public static String cut(String text, int chars) {
    if (text.length() <= chars) {
      return text;
    }
    int end = chars;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "…";
  }

  /** True when the code point {@code c} must not reach a terminal as it is (a tab counts). */
  public static boolean isUnsafe(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE ->
          true;
      default -> false;
    };
  }

  /**
   * Appends the character at {@code i} of {@code text}, escaped if it is unsafe, and returns the
   * index after it (a surrogate pair takes two). With {@code keepTabs} a tab is appended as it is,
   * so that a caret line can copy it and stay aligned.
   */
  static int append(StringBuilder out, String text, int i, boolean keepTabs) {
    int c = text.codePointAt(i);
    if (!isUnsafe(c) || (keepTabs && c == '\t')) {
      out.appendCodePoint(c);
    } else if (c <= 0xff) {
      out.append("\\x").append(hex(c, 2));
    } else if (c <= 0xffff) {
      out.append("\\u").append(hex(c, 4));
    } else {
      out.append("\\U").append(hex(c, 8));
    }
    return i + Character.charCount(c);
  }

  /** How many terminal cells the character at {@code i} takes once appended: 1 unless escaped. */
  static int width(String text, int i, boolean keepTabs) {
    int c = text.codePointAt(i);
    if (!isUnsafe(c) || (keepTabs && c == '\t')) {
      return 1;
    }
    return c <= 0xff ? 4 : c <= 0xffff ? 6 : 10;
  }

  private static String hex(int value, int digits) {
    String hex = Integer.toHexString(value);
    return "0".repeat(digits - hex.length()) + hex;
  }
}
