package dev.portfwd.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;

/**
 * The diagnostics of a whole table as they will be shown: the first {@value #MAX_SHOWN} by place,
 * then a note "… and N more not shown" at the first one left out. Lines are added as they are read
 * and only the shown ones are kept, so a table with an error on each of a million lines holds
 * {@value #MAX_SHOWN} diagnostics and counts the rest.
 */
final class ShownDiagnostics {

  /** The most diagnostics (notes included) one table shows. */
  static final int MAX_SHOWN = 200;

  /** A shown diagnostic and the found ones it stands for: itself, or a line's hidden ones. */
  private record Entry(Diagnostic diagnostic, int errors, int warnings) {}

  // The largest place on top, so the one to drop is at hand.
  private final PriorityQueue<Entry> kept =
      new PriorityQueue<>(
          MAX_SHOWN + 1, (a, b) -> Diagnostic.BY_PLACE.compare(b.diagnostic(), a.diagnostic()));
  private Diagnostic firstDropped;
  private int droppedErrors;
  private int droppedWarnings;
  private int errors;
  private int warnings;

  /** Adds the diagnostics of one line (or of one line's clashes). */
  void add(LineCap line) {
    errors += line.errors();
    warnings += line.warnings();
    for (Diagnostic diagnostic : line.shown()) {
      kept.add(
          switch (diagnostic.severity()) {
            case ERROR -> new Entry(diagnostic, 1, 0);
            case WARNING -> new Entry(diagnostic, 0, 1);
            case NOTE -> new Entry(diagnostic, line.hiddenErrors(), line.hiddenWarnings());
          });
      if (kept.size() > MAX_SHOWN) {
        drop(kept.poll());
      }
    }
  }

  private void drop(Entry entry) {
    Diagnostic dropped = entry.diagnostic();
    droppedErrors += entry.errors();
    droppedWarnings += entry.warnings();
    if (firstDropped == null || Diagnostic.BY_PLACE.compare(dropped, firstDropped) < 0) {
      firstDropped = dropped;
    }
  }

  /** How many errors were found, shown or not. */
  int errors() {
    return errors;
  }

  /** How many warnings were found, shown or not. */
  int warnings() {
    return warnings;
  }

  /** The shown diagnostics, by place, with the note about the rest last. */
  List<Diagnostic> list() {
    List<Diagnostic> shown = new ArrayList<>(kept.size() + 1);
    kept.forEach(entry -> shown.add(entry.diagnostic()));
    shown.sort(Diagnostic.BY_PLACE);
    if (firstDropped != null) {
      shown.add(
          new Diagnostic(
              firstDropped.file(),
              firstDropped.line(),
              firstDropped.column(),
              Severity.NOTE,
              String.format(
                  Locale.ROOT,
                  "… and %s from here on are not shown (at most %d diagnostics per table)",
                  LineCap.counted(droppedErrors, droppedWarnings),
                  MAX_SHOWN),
              firstDropped.sourceLine()));
    }
    return shown;
  }
}
