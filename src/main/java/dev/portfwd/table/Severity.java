package dev.portfwd.table;

import java.util.Locale;

/**
 * How bad a diagnostic is: errors stop every command that would change the host; a note only says
 * that more was found than is shown.
 */
public enum Severity {
  ERROR,
  WARNING,
  NOTE;

  /** {@code error}, {@code warning} or {@code note}, as printed after the place. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
