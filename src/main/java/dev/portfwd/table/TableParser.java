package dev.portfwd.table;

import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the text of a forwarding table into forwards and diagnostics.
 *
 * <p>The stage works line by line: a line is cut at its first {@code #} (the rest is the forward's
 * description), split on blanks and tabs into columns {@code EXT INT-IP [INT-PORT] [PROTO]
 * [key=value ...]}, and each column is checked where it stands, so one bad line yields every
 * problem it has and never stops the lines after it. A line with any error yields no forward.
 * Checks that need more than one line (two forwards claiming the same port) live in {@link
 * TableValidator}, which {@link #parse} runs last.
 *
 * <p>{@link LineParser} reads one line: {@link Token} cuts it into columns, {@link ExternalColumn},
 * {@link BackendColumn}, {@link TrailingColumns} and {@link OptionColumns} read them, {@link
 * LikelyMistakes} warns about a line that parsed, and {@link LineDiagnostics} words every problem.
 *
 * <p>Never throws for any input: every problem becomes a {@link Diagnostic}.
 */
public final class TableParser {

  private TableParser() {}

  /**
   * Parses and validates {@code text}, read from {@code source} (a path or {@code <stdin>}, used in
   * messages).
   */
  public static ParseResult parse(String source, String text) {
    List<String> lines = splitLines(text);
    if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
      lines.set(0, lines.get(0).substring(1));
    }
    List<Diagnostic> diagnostics = new ArrayList<>();
    List<LocatedForward> located = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      LineParser parser = new LineParser(source, i + 1, lines.get(i));
      parser.parse().ifPresent(located::add);
      diagnostics.addAll(parser.diagnostics());
    }
    diagnostics.addAll(TableValidator.validate(source, located));
    List<Forward> forwards = located.stream().map(LocatedForward::forward).toList();
    return new ParseResult(new ForwardTable(source, forwards), diagnostics);
  }

  /** Lines ended by LF, CRLF or a lone CR (old Mac editors); a final empty line is dropped. */
  private static List<String> splitLines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        lines.add(text.substring(start, i));
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }
}
