package dev.portfwd.table;

import dev.portfwd.model.ForwardTable;
import java.util.List;

/**
 * What reading a table produced: the forwards of every line that parsed and every diagnostic,
 * sorted by place. A table with any error must not be applied, even partly.
 */
public record ParseResult(ForwardTable table, List<Diagnostic> diagnostics) {

  public ParseResult {
    diagnostics = diagnostics.stream().sorted(Diagnostic.BY_PLACE).toList();
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }

  public List<Diagnostic> errors() {
    return diagnostics.stream().filter(Diagnostic::isError).toList();
  }

  public List<Diagnostic> warnings() {
    return diagnostics.stream().filter(d -> !d.isError()).toList();
  }
}
