package dev.portfwd.model;

import java.util.List;
import java.util.Map;

/**
 * Where a forward's columns stand in its table line, 1-based as the table's diagnostics count them:
 * for the messages of stages that no longer see the text (the compiler, name resolution). A forward
 * not read from a table has {@link #UNKNOWN}, whose every column is 1.
 *
 * @param external the column of the external port (and address)
 * @param backend the column of the backend column (INT-IP)
 * @param options the column of each {@code key=value} option, by lower-case key
 */
public record ForwardColumns(int external, int backend, Map<String, Integer> options) {

  /** The columns of a forward made in code: messages point at the start of its line. */
  public static final ForwardColumns UNKNOWN = new ForwardColumns(1, 1, Map.of());

  public ForwardColumns {
    if (external < 1 || backend < 1) {
      throw new IllegalArgumentException("columns are 1-based: " + external + ", " + backend);
    }
    options = options.isEmpty() ? Map.of() : Map.copyOf(options);
  }

  /** The column of option {@code key}; the backend's when the line does not give it. */
  public int option(String key) {
    return options.getOrDefault(key, backend);
  }

  /**
   * The column of {@code text} in a backend column written as {@code written} (its entries joined
   * by commas); the backend column's own when {@code text} is not one entry.
   */
  public int backendEntry(List<BackendSpec> written, String text) {
    int column = backend;
    for (BackendSpec spec : written) {
      if (spec.text().equals(text)) {
        return column;
      }
      column += spec.text().length() + 1;
    }
    return backend;
  }
}
