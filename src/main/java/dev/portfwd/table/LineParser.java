package dev.portfwd.table;

import dev.portfwd.model.BackendPool;
import dev.portfwd.model.BackendSpec;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardColumns;
import dev.portfwd.model.PortRange;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Owns reading one line of a table into at most one forward: it cuts off the description, splits
 * the columns, hands each to its reader and collects every problem instead of stopping at the
 * first.
 */
final class LineParser {

  private final int lineNumber;
  private final String text;
  private final int start;
  private final int end;
  private final String line;
  private final LineDiagnostics report;
  private final BackendColumn.Known backends;

  /**
   * A parser of the line that fills {@code text} from {@code start} to {@code end}, sharing the
   * backends of the table's lines read before.
   */
  LineParser(
      String source,
      int lineNumber,
      String text,
      int start,
      int end,
      BackendColumn.Known backends) {
    this.backends = backends;
    this.lineNumber = lineNumber;
    this.text = text;
    this.start = start;
    this.end = end;
    this.line = text.substring(start, end);
    this.report = new LineDiagnostics(source, lineNumber, line);
  }

  /** The diagnostics {@link #parse} found: the first of them by place and a count of all. */
  LineCap diagnostics() {
    return report.found();
  }

  /** The forward of this line; empty for a blank or comment line and for a line with errors. */
  Optional<LocatedForward> parse() {
    int hash = line.indexOf('#');
    String columns = hash >= 0 ? line.substring(0, hash) : line;
    String description = hash >= 0 ? line.substring(hash + 1).strip() : "";
    checkCharacters();
    Iterator<Token> tokens = Token.split(columns);
    if (!tokens.hasNext()) {
      return Optional.empty();
    }

    Token ext = tokens.next();
    Optional<ExternalColumn> external = ExternalColumn.parse(ext, report);
    if (!tokens.hasNext()) {
      report.missingBackend(line.stripTrailing().length() + 1, ext.text());
      return Optional.empty();
    }
    Token backendToken = tokens.next();
    Optional<List<BackendSpec>> backend = BackendColumn.parseList(backendToken, backends, report);
    TrailingColumns trailing = TrailingColumns.parse(tokens, report);
    external.ifPresent(
        e ->
            trailing
                .backendPorts()
                .ifPresent(
                    given -> {
                      if (given.ports().size() != e.ports().size()) {
                        report.rangeSizesDiffer(given.column(), given.ports(), e.ports());
                      }
                    }));
    OptionColumns options = OptionColumns.read(trailing.options(), report);
    // A name's address family is known only once resolved: snat='s family is checked against the
    // first address literal here, and against resolved names by the compiler.
    Optional<InetAddress> snat =
        SnatOption.read(
            trailing.options(),
            backend.flatMap(
                specs ->
                    specs.stream().map(BackendSpec::address).flatMap(Optional::stream).findFirst()),
            report);
    PoolOptions poolOptions = PoolOptions.read(trailing.options(), report);

    if (report.hasErrors() || backend.isEmpty() || external.isEmpty()) {
      return Optional.empty();
    }
    PortRange externalPorts = external.get().ports();
    // No backend port, or RANGE: the backend listens on the same ports.
    PortRange backendPorts =
        trailing.backendPorts().map(TrailingColumns.GivenPorts::ports).orElse(externalPorts);
    Forward forward =
        new Forward(
            lineNumber,
            external.get().address(),
            externalPorts,
            new BackendPool(backend.get(), poolOptions.balance(), poolOptions.check(), List.of()),
            backendPorts,
            trailing.protocols(),
            options.allowedSources(),
            options.masquerade(),
            options.proxyProtocol(),
            description,
            snat,
            new ForwardColumns(ext.column(), backendToken.column(), optionColumns(trailing)));
    LikelyMistakes.warn(forward, ext, backendToken, trailing.options(), report);
    return Optional.of(new LocatedForward(forward, text, start, end));
  }

  private static Map<String, Integer> optionColumns(TrailingColumns trailing) {
    if (trailing.options().isEmpty()) {
      return Map.of();
    }
    if (trailing.options().size() == 1) { // the usual line with options: no map to copy
      Map.Entry<String, Token> only = trailing.options().entrySet().iterator().next();
      return Map.of(only.getKey(), only.getValue().column());
    }
    Map<String, Integer> columns = new HashMap<>();
    trailing.options().forEach((key, token) -> columns.put(key, token.column()));
    return columns;
  }

  /** Reports the first character no table may hold: one that was not UTF-8, or a control. */
  private void checkCharacters() {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\uFFFD') {
        report.notUtf8(i + 1);
        return;
      }
      if (Character.isISOControl(c) && c != '\t') {
        report.controlCharacter(i + 1, c);
        return;
      }
    }
  }
}
