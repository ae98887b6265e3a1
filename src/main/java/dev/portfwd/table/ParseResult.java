package dev.portfwd.table;

import dev.portfwd.model.ForwardTable;
import java.util.List;

/**
 * What reading a table produced: the forwards of every line that parsed, the diagnostics to show,
 * sorted by place, and how many errors and warnings were found in all. A table with any error must
 * not be applied, even partly.
 *
 * @param diagnostics what to show: the first problems by place, with notes where more were found
 *     than are shown ({@link TableParser#parse} bounds their number)
 * @param errorCount every error found, shown or not
 * @param warningCount every warning found, shown or not
 */
public record ParseResult(
    ForwardTable table, List<Diagnostic> diagnostics, int errorCount, int warningCount) {

  public ParseResult {
    diagnostics = diagnostics.stream().sorted(Diagnostic.BY_PLACE).toList();
    if (errorCount < countOf(diagnostics, Severity.ERROR)
        || warningCount < countOf(diagnostics, Severity.WARNING)) {
      throw new IllegalArgumentException("fewer errors or warnings counted than shown");
    }
  }

  /** True when any error was found, even one not shown. */
  public boolean hasErrors() {
    return errorCount > 0;
  }

  /** The errors shown. */
  public List<Diagnostic> errors() {
    return diagnostics.stream().filter(Diagnostic::isError).toList();
  }

  /** The warnings shown. */
  public List<Diagnostic> warnings() {
    return diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).toList();
  }

  private static long countOf(List<Diagnostic> diagnostics, Severity severity) {
    return diagnostics.stream().filter(d -> d.severity() == severity).count();
  }
}
