package dev.portfwd.table;

import java.util.Locale;

/** How bad a diagnostic is: errors stop every command that would change the host. */
public enum Severity {
  ERROR,
  WARNING;

  /** {@code error} or {@code warning}, as printed after the place. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
