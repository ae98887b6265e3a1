package dev.portfwd.watch;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import java.util.List;
import java.util.Optional;

/**
 * What the {@link Watcher} drives: loading the table and making the kernel hold it. The CLI
 * implements it over a real backend; tests use fakes.
 */
public interface WatchTarget {

  /** Reads and compiles the table; empty, after reporting every problem, when it has errors. */
  Optional<DesiredState> load();

  /**
   * Makes the host hold {@code desired}: applies the backend's plan when it is not empty, and
   * switches forwarding on when it is off. A target whose backends' health and names change between
   * loads (the service's checks) holds the table as it is now instead: the rotation of {@code
   * desired} may be older.
   *
   * @return what was changed; an empty plan and no notes when the host was in sync
   */
  Reconciled reconcile(DesiredState desired, Reason reason) throws BackendException;

  /**
   * The outcome of one reconcile.
   *
   * @param plan the plan applied (empty when the kernel already matched)
   * @param notes other changes made, one line each (a sysctl switched back on)
   * @param skipped why nothing was checked, e.g. an {@code apply --confirm} waits; null otherwise
   */
  record Reconciled(Plan plan, List<String> notes, String skipped) {

    public Reconciled {
      notes = List.copyOf(notes);
    }

    public boolean changedSomething() {
      return !plan.isEmpty() || !notes.isEmpty();
    }
  }
}
