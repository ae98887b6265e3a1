package dev.portfwd.iptables;

import dev.portfwd.compile.Comments;
import java.util.ArrayList;
import java.util.List;

/**
 * Spelling of words in {@code iptables-restore} input and {@code iptables-save} output. The one
 * place that decides what text from a table may reach a restore script: addresses and ports are
 * printed from parsed values, and descriptions pass through {@link #comment} and {@link #quote},
 * so no table field can add an option, a rule or a line.
 */
final class RestoreText {

  /**
   * The kernel keeps at most 255 bytes of a comment (XT_MAX_COMMENT_LEN is 256 with the NUL);
   * iptables cuts longer ones silently, which would make a second apply see a changed description.
   */
  static final int COMMENT_MAX_BYTES = 255;

  private RestoreText() {}

  /**
   * {@code description} made fit for {@code -m comment --comment}: control characters (a restore
   * line cannot span lines) become spaces, the result is cut to 255 bytes of UTF-8 without
   * splitting a character and stripped. Quotes and backslashes stay: {@link #quote} escapes them.
   */
  static String comment(String description) {
    return Comments.fit(description, COMMENT_MAX_BYTES, '"');
  }

  /**
   * One word for a restore line: bare when it holds only characters that options, addresses and
   * ports use, else in double quotes with {@code "}, {@code '} and {@code \} escaped by a backslash
   * (the restore parser drops a backslash and keeps the next character). Comments with blanks or
   * punctuation are the words that get quoted.
   */
  static String quote(String word) {
    if (!word.isEmpty() && word.chars().allMatch(RestoreText::plain)) {
      return word;
    }
    StringBuilder quoted = new StringBuilder("\"");
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c == '"' || c == '\'' || c == '\\') {
        quoted.append('\\');
      }
      quoted.append(c);
    }
    return quoted.append('"').toString();
  }

  private static boolean plain(int c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "_-.:/[]!,".indexOf(c) >= 0;
  }

  /** A rule's words joined into one restore line, each quoted where needed. */
  static String join(List<String> words) {
    StringBuilder line = new StringBuilder();
    for (String word : words) {
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(quote(word));
    }
    return line.toString();
  }

  /**
   * Splits a restore or save line into words the way {@code iptables-restore} does: blanks
   * separate words outside double quotes, a backslash keeps the next character as it is.
   */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        word.append(line.charAt(++i));
        inWord = true;
      } else if (c == '"') {
        quoted = !quoted;
        inWord = true;
      } else if (!quoted && (c == ' ' || c == '\t')) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quote in: " + line);
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
