package dev.portfwd.state;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An {@code apply --confirm} waiting for its confirmation. While this record exists in the state
 * directory, a rollback timer will restore {@code restore} at {@code deadline}; confirming deletes
 * the record, and whoever acts first (timer, foreground, {@code portfwd rollback}) does so under
 * the state lock, so the rollback happens once.
 *
 * @param id random token that ties the timer process to this apply
 * @param backend the backend that applied, and that must restore
 * @param generation the history generation the apply recorded; undone on rollback
 * @param restore the portfwd state before the apply (forwards read from the kernel)
 * @param switchOff forwarding sysctls that were off and that this apply switches on
 * @param applied a one-line description of what was applied, for messages
 */
public record PendingConfirmation(
    String id,
    Instant deadline,
    String backend,
    long generation,
    Snapshot restore,
    Set<String> switchOff,
    String applied) {

  public PendingConfirmation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(deadline, "deadline");
    switchOff = Set.copyOf(new TreeSet<>(switchOff));
  }

  /**
   * What waiting needs of the record, read from its first line alone: whoever polls it several
   * times a second (the rollback timer, the prompt) need not parse the forwards to restore.
   */
  public record Head(String id, Instant deadline, String backend) {}

  public Head head() {
    return new Head(id, deadline, backend);
  }
}
