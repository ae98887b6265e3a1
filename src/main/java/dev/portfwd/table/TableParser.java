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
   * messages). Shows at most {@value LineCap#MAX_PER_LINE} diagnostics per line and {@value
   * ShownDiagnostics#MAX_SHOWN} per table, each time with a note saying how many more there are;
   * the result counts them all.
   */
  public static ParseResult parse(String source, String text) {
    ShownDiagnostics diagnostics = new ShownDiagnostics();
    List<LocatedForward> located = new ArrayList<>();
    BackendColumn.Known backends = new BackendColumn.Known();
    int lineNumber = 0;
    int start = text.startsWith("\uFEFF") ? 1 : 0;
    // Lines end in LF or CRLF; an empty last line is no line. A lone CR ends a line only in a text
    // without any LF (old Mac editors): elsewhere it stays in its line and is refused there as a
    // control character, since every other tool shows what follows it as part of that line (a
    // forward hidden in what looks like a comment).
    boolean loneCrEndsLines = text.indexOf('\n') < 0;
    while (start < text.length()) {
      int end = start;
      while (end < text.length()
          && text.charAt(end) != '\n'
          && !(text.charAt(end) == '\r' && (loneCrEndsLines || text.startsWith("\r\n", end)))) {
        end++;
      }
      LineParser parser = new LineParser(source, ++lineNumber, text, start, end, backends);
      parser.parse().ifPresent(located::add);
      diagnostics.add(parser.diagnostics());
      start = end + (text.startsWith("\r\n", end) ? 2 : 1);
    }
    // Clashes name other lines: each line shows at most as many of them as of its own problems.
    TableValidator.validate(source, located, diagnostics::add);
    SharedBackends.validate(source, located, diagnostics::add);
    List<Forward> forwards = located.stream().map(LocatedForward::forward).toList();
    return new ParseResult(
        new ForwardTable(source, forwards),
        diagnostics.list(),
        diagnostics.errors(),
        diagnostics.warnings());
  }
}
