package dev.portfwd.compile;

import java.nio.charset.StandardCharsets;

/**
 * Fits a forward's description into a kernel rule comment, the same way for every backend: a
 * comment is one line and has a byte limit, and cutting must never split a UTF-8 character, or a
 * second apply would read back a different description and see a change.
 */
public final class Comments {

  private Comments() {}

  /**
   * {@code description} with control and line-separator characters turned into spaces, {@code '"'}
   * turned into {@code quoteReplacement} (a backend whose syntax cannot escape it passes {@code
   * '\''}; one that can passes {@code '"'}), cut to at most {@code maxBytes} bytes of UTF-8 on a
   * character boundary, and stripped.
   */
  public static String fit(String description, int maxBytes, char quoteReplacement) {
    if (description.length() <= maxBytes && isPlainAscii(description)) {
      return description.strip(); // nothing to replace, and one byte per character: fits
    }
    StringBuilder safe = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < description.length(); ) {
      int cp = description.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '"') {
        cp = quoteReplacement;
      } else if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) {
        cp = ' ';
      }
      String ch = new String(Character.toChars(cp));
      int size = ch.getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > maxBytes) {
        break;
      }
      safe.append(ch);
      bytes += size;
    }
    return safe.toString().strip();
  }

  /** True when every character is printable ASCII other than {@code '"'}: kept as it is. */
  private static boolean isPlainAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"') {
        return false;
      }
    }
    return true;
  }
}
