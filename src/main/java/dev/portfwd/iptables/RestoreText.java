package dev.portfwd.iptables;

import dev.portfwd.compile.Comments;
import java.util.ArrayList;
import java.util.List;

/**
 * Spelling of words in {@code iptables-restore} input and {@code iptables-save} output. The one
 * place that decides what text from a table may reach a restore script: addresses and ports are
 * printed from parsed values, and descriptions pass through {@link #comment} and {@link #quote}, so
 * no table field can add an option, a rule or a line. It is also the one place that splits such
 * lines into words: the backend reads its own chains with {@link #split}, doctor reads other tools'
 * rules with {@link #splitAsWritten}.
 */
public final class RestoreText {

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
    return c >= '0' && c <= '9'
        || c >= 'a' && c <= 'z'
        || c >= 'A' && c <= 'Z'
        || "_-.:/[]!,".indexOf(c) >= 0;
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
   * Splits a restore or save line into words the way {@code iptables-restore} does: blanks (spaces
   * and tabs) separate words outside double quotes, the quotes themselves are dropped, and inside
   * them a backslash keeps the next character as it is. Outside quotes a backslash is an ordinary
   * character, as it is for iptables-restore ({@link #quote} never leaves one there).
   *
   * @throws IllegalArgumentException when a double quote is not closed
   */
  public static List<String> split(String line) {
    return words(line, /* asWritten= */ false);
  }

  /**
   * The words of {@code line}, split where {@link #split} splits it but each kept as written,
   * quotes and backslashes included: for showing a rule, or a command that deletes it, exactly as
   * {@code iptables-save} printed it. Never fails: a quote left open runs to the end of the line.
   */
  public static List<String> splitAsWritten(String line) {
    return words(line, /* asWritten= */ true);
  }

  private static List<String> words(String line, boolean asWritten) {
    List<String> words = new ArrayList<>();
    StringBuilder value = new StringBuilder();
    boolean quoted = false;
    int start = -1; // where the current word began, -1 between words
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (!quoted && (c == ' ' || c == '\t')) {
        if (start >= 0) {
          words.add(asWritten ? line.substring(start, i) : value.toString());
          value.setLength(0);
          start = -1;
        }
        continue;
      }
      if (start < 0) {
        start = i;
      }
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted && i + 1 < line.length()) {
        value.append(line.charAt(++i));
      } else {
        value.append(c);
      }
    }
    if (quoted && !asWritten) {
      throw new IllegalArgumentException("unterminated quote in: " + line);
    }
    if (start >= 0) {
      words.add(asWritten ? line.substring(start) : value.toString());
    }
    return words;
  }
}
