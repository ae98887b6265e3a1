package dev.portfwd.state;

import dev.portfwd.backend.BackendException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Finishes the rollback of an {@code apply --confirm} whose timer never acted: the host rebooted or
 * the timer was killed during the wait. Without this, the record would wait forever and block every
 * later apply and {@code watch}. The rollback promised at the deadline then happens now.
 */
@SuppressWarnings("try") // the state lock is held for its block
public final class OverdueConfirmation {

  /** How long after the deadline a live timer has surely acted (it looks five times a second). */
  public static final Duration GRACE = Duration.ofSeconds(15);

  private OverdueConfirmation() {}

  /**
   * Undoes the pending apply if its deadline passed more than {@link #GRACE} ago.
   *
   * @return the line saying what was done; empty when nothing was overdue
   */
  public static Optional<String> resolve(
      StateStore store, Clock clock, RollbackTimer.RestorerFactory restorer)
      throws IOException, BackendException, StateException {
    Optional<PendingConfirmation> seen = store.pending();
    if (seen.isEmpty() || clock.instant().isBefore(seen.get().deadline().plus(GRACE))) {
      return Optional.empty();
    }
    try (StateStore.Lock lock = store.lock()) {
      Optional<PendingConfirmation> pending = store.pending();
      if (pending.isEmpty() || clock.instant().isBefore(pending.get().deadline().plus(GRACE))) {
        return Optional.empty();
      }
      Restorer.Result result = restorer.create().undo(pending.get());
      return Optional.of(
          "an 'apply --confirm' was never confirmed and its rollback timer did not run (deadline "
              + pending.get().deadline()
              + "; a reboot?); rolled it back now: "
              + result.message());
    }
  }
}
