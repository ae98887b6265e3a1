package dev.portfwd.doctor;

import dev.portfwd.model.Forward;
import dev.portfwd.model.Protocol;
import java.util.List;
import java.util.stream.Collectors;

/** Wording shared by the checks, so findings read alike. */
final class Texts {

  private Texts() {}

  /** {@code the forward on line 3} or {@code the 4 forwards on lines 1, 2, 5, 7}. */
  static String forwardsOnLines(List<Forward> forwards) {
    if (forwards.size() == 1) {
      return "the forward on line " + forwards.get(0).line();
    }
    return "the "
        + forwards.size()
        + " forwards on lines "
        + String.join(", ", forwards.stream().map(f -> Integer.toString(f.line())).toList());
  }

  /** {@code 13102/tcp → 192.0.2.2:80}: how a finding names its forward. */
  static String forward(Forward forward) {
    return forward.externalText() + "/" + forward.protocolText() + " → " + forward.backendText();
  }

  /** {@code 192.0.2.2:80/tcp}: one protocol of a forward's backend side. */
  static String backend(Forward forward, Protocol protocol) {
    return forward.backendText() + "/" + protocol.keyword();
  }

  /** {@code word} quoted for a POSIX shell when it needs it; the table {@code <stdin>} is TABLE. */
  static String shellWord(String word) {
    if (word.equals("<stdin>")) {
      return "TABLE";
    }
    if (word.matches("[A-Za-z0-9_./:@%+=,-]+")) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /**
   * What keeps {@code assignments} ({@code key=value}) after a reboot: a command writing them to
   * {@code /etc/sysctl.d/FILE}, prefixed with what it adds to a {@code sysctl -w} fix. Each fix has
   * a file of its own, so running two of them keeps both.
   */
  static String sysctlDropIn(String file, List<String> assignments) {
    return "that lasts until the next boot; to keep it: printf '%s\\n' "
        + assignments.stream().map(Texts::shellWord).collect(Collectors.joining(" "))
        + " > /etc/sysctl.d/"
        + file;
  }

  /** {@code sysctl -w} of {@code assignments} ({@code key=value}), each quoted for the shell. */
  static String sysctlNow(List<String> assignments) {
    return "sysctl -w "
        + assignments.stream().map(Texts::shellWord).collect(Collectors.joining(" "));
  }

  /**
   * {@code text} safe for a terminal: controls (C0, DEL, C1), format characters (bidi overrides and
   * isolates, zero-width characters), line and paragraph separators and lone surrogates become
   * visible escapes such as {@code \x1b} and <code>&#92;u202e</code>. The same rule as the table
   * stage's {@code TerminalText}, which this package may not import; descriptions, file names and
   * what other tools' rules say reach the report through here.
   */
  static String printable(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      boolean unsafe =
          switch (Character.getType(c)) {
            case Character.CONTROL,
                Character.FORMAT,
                Character.LINE_SEPARATOR,
                Character.PARAGRAPH_SEPARATOR,
                Character.SURROGATE ->
                true;
            default -> false;
          };
      if (unsafe && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (!unsafe) {
          out.appendCodePoint(c);
        } else if (c <= 0xff) {
          out.append(String.format("\\x%02x", c));
        } else if (c <= 0xffff) {
          out.append(String.format("\\u%04x", c));
        } else {
          out.append(String.format("\\U%08x", c));
        }
      }
      i += Character.charCount(c);
    }
    return out == null ? text : out.toString();
  }
}
