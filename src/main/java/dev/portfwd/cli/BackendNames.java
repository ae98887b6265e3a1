package dev.portfwd.cli;

import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.NameResolver;
import dev.portfwd.pool.SystemNameResolver;
import dev.portfwd.pool.TableNames;
import dev.portfwd.table.Diagnostic;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.Severity;
import dev.portfwd.table.TablePrinter;
import dev.portfwd.table.TerminalText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-shot commands' look-up of backend names: {@code check} warns about a name it cannot
 * resolve (the gateway may resolve what an editor's laptop cannot); {@code plan}, {@code apply} and
 * {@code doctor} resolve once and refuse a table whose names do not resolve, naming the line.
 */
final class BackendNames {

  private BackendNames() {}

  /** Resolves {@code table}'s names through the system's resolvers (none asked without names). */
  static TableNames.Resolved resolve(ForwardTable table) {
    if (table.forwards().stream().noneMatch(f -> f.pool().hasNames())) {
      return TableNames.resolve(table, (name, family) -> null);
    }
    try (SystemNameResolver resolver = new SystemNameResolver()) {
      return resolve(table, resolver);
    }
  }

  static TableNames.Resolved resolve(ForwardTable table, NameResolver resolver) {
    return TableNames.resolve(table, resolver);
  }

  /** One diagnostic per name that did not resolve, at its line. */
  static List<Diagnostic> diagnostics(
      TableNames.Resolved resolved, String source, Severity severity) {
    List<Diagnostic> found = new ArrayList<>();
    for (TableNames.Failure failure : resolved.failures()) {
      Forward forward = failure.forward();
      String line = asWritten(forward);
      int column = forward.columns().backendEntry(forward.pool().written(), failure.name());
      found.add(
          new Diagnostic(
              source,
              Math.max(1, forward.line()),
              column,
              severity,
              "backend name '"
                  + failure.name()
                  + "' does not resolve here ("
                  + failure.why()
                  + ")"
                  + (severity == Severity.WARNING
                      ? "; 'apply' refuses the table on a host where it does not resolve"
                      : "; fix the name or its DNS record"),
              line));
    }
    return found;
  }

  /**
   * {@code result} with a diagnostic of {@code severity} for each name of {@code resolved} that did
   * not resolve: warnings for {@code check}, errors for a change.
   */
  static ParseResult withDiagnostics(
      ParseResult result, TableNames.Resolved resolved, Severity severity) {
    List<Diagnostic> found = diagnostics(resolved, result.table().source(), severity);
    if (found.isEmpty()) {
      return result;
    }
    List<Diagnostic> all = new ArrayList<>(result.diagnostics());
    all.addAll(found);
    boolean errors = severity == Severity.ERROR;
    return new ParseResult(
        result.table(),
        all,
        result.errorCount() + (errors ? found.size() : 0),
        result.warningCount() + (errors ? 0 : found.size()));
  }

  /**
   * The forward's line as printed, its external and backend columns moved to where the table had
   * them, so that a caret at the table's column stands under the name (the table's text itself is
   * gone by now).
   */
  static String asWritten(Forward forward) {
    String printed = TablePrinter.line(forward);
    String external = forward.externalText();
    String backend = forward.pool().writtenText();
    String rest =
        printed.substring(Math.min(printed.length(), external.length() + 1 + backend.length()));
    StringBuilder line = new StringBuilder();
    line.append(" ".repeat(forward.columns().external() - 1)).append(external);
    line.append(" ".repeat(Math.max(1, forward.columns().backend() - 1 - line.length())));
    return line.append(backend).append(rest).toString();
  }

  /**
   * {@code table} with every name resolved once.
   *
   * @throws PortfwdException exit 2, after printing each name that does not resolve with its line,
   *     when one does not; nothing was changed then
   */
  static ForwardTable resolveOrRefuse(ForwardTable table, PrintWriter err) {
    TableNames.Resolved resolved = resolve(table);
    if (resolved.failures().isEmpty()) {
      return resolved.table(table);
    }
    for (Diagnostic diagnostic : diagnostics(resolved, table.source(), Severity.ERROR)) {
      err.println(diagnostic.render());
    }
    err.flush();
    throw PortfwdException.invalidInput(
        TableLoader.count(resolved.failures().size(), "backend name")
            + " of "
            + TerminalText.escape(table.source())
            + " did not resolve; nothing was changed");
  }
}
