package dev.portfwd.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The diagnostics of one line as they will be shown: at most {@value #MAX_PER_LINE}, the first by
 * place, then a note "… and N more errors on this line" at the first one left out. Holds no more
 * than that however many are added, and counts every one, so a line of 20,000 bad columns costs ten
 * diagnostics and a number.
 */
final class LineCap {

  /** The most diagnostics one line shows. */
  static final int MAX_PER_LINE = 10;

  private final List<Diagnostic> kept = new ArrayList<>(MAX_PER_LINE);
  private Diagnostic firstHidden;
  private int hiddenErrors;
  private int hiddenWarnings;
  private int errors;
  private int warnings;

  void add(Diagnostic diagnostic) {
    if (diagnostic.isError()) {
      errors++;
    } else {
      warnings++;
    }
    Diagnostic hidden = diagnostic;
    if (kept.size() < MAX_PER_LINE) {
      kept.add(diagnostic);
      return;
    }
    int last = 0;
    for (int i = 1; i < kept.size(); i++) {
      if (Diagnostic.BY_PLACE.compare(kept.get(i), kept.get(last)) > 0) {
        last = i;
      }
    }
    if (Diagnostic.BY_PLACE.compare(diagnostic, kept.get(last)) < 0) {
      hidden = kept.set(last, diagnostic);
    }
    if (hidden.isError()) {
      hiddenErrors++;
    } else {
      hiddenWarnings++;
    }
    if (firstHidden == null || Diagnostic.BY_PLACE.compare(hidden, firstHidden) < 0) {
      firstHidden = hidden;
    }
  }

  /**
   * Counts {@code count} more errors at the place of one already hidden, without their messages:
   * for a line with thousands of diagnostics that differ only in what they name.
   *
   * @throws IllegalStateException when none is hidden yet
   */
  void addHiddenErrors(int count) {
    if (firstHidden == null) {
      throw new IllegalStateException("no diagnostic hidden yet");
    }
    errors += count;
    hiddenErrors += count;
  }

  int errors() {
    return errors;
  }

  int warnings() {
    return warnings;
  }

  /** How many errors were added but are not shown. */
  int hiddenErrors() {
    return hiddenErrors;
  }

  /** How many warnings were added but are not shown. */
  int hiddenWarnings() {
    return hiddenWarnings;
  }

  /** The diagnostics shown, by place, with the note last when some are hidden. */
  List<Diagnostic> shown() {
    List<Diagnostic> shown = new ArrayList<>(kept);
    shown.sort(Diagnostic.BY_PLACE);
    if (firstHidden != null) {
      shown.add(
          new Diagnostic(
              firstHidden.file(),
              firstHidden.line(),
              firstHidden.column(),
              Severity.NOTE,
              "… and "
                  + counted(hiddenErrors, hiddenWarnings)
                  + " on this line (at most "
                  + MAX_PER_LINE
                  + " per line are shown)",
              firstHidden.sourceLine()));
    }
    return shown;
  }

  /**
   * {@code "12 more errors"}, {@code "3 more warnings"}, {@code "1 more error and 2 more
   * warnings"}.
   */
  static String counted(int errors, int warnings) {
    String e = String.format(Locale.ROOT, "%,d more error%s", errors, errors == 1 ? "" : "s");
    String w = String.format(Locale.ROOT, "%,d more warning%s", warnings, warnings == 1 ? "" : "s");
    return errors == 0 ? w : warnings == 0 ? e : e + " and " + w;
  }
}
