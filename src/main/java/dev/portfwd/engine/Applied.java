package dev.portfwd.engine;

import dev.portfwd.backend.Plan;
import dev.portfwd.state.PendingConfirmation;
import java.util.List;
import java.util.Optional;

/**
 * What one change did, for the caller to print.
 *
 * @param plan the transaction the kernel ran (empty when it already held the table)
 * @param notes other changes made, one line each (a forwarding sysctl switched on)
 * @param warnings what went wrong without undoing the change (stale UDP flows not cleared)
 * @param pending the confirmation this change waits for, with {@code --confirm} when something
 *     changed
 */
public record Applied(
    Plan plan, List<String> notes, List<String> warnings, Optional<PendingConfirmation> pending) {

  public Applied {
    notes = List.copyOf(notes);
    warnings = List.copyOf(warnings);
  }
}
