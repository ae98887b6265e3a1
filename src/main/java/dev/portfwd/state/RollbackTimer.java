package dev.portfwd.state;

import dev.portfwd.backend.BackendException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The body of the detached rollback timer: waits until the pending confirmation's deadline and then
 * undoes the apply, unless the pending record disappeared (confirmed, or undone by someone else).
 * It re-reads the record's first line on every tick because {@link SafeApply.Guard#applied()} moves
 * the deadline once the kernel change is done. Sleeps between ticks: no busy wait.
 */
// "try": a StateStore.Lock is held for its block and never referenced in it, by design.
@SuppressWarnings("try")
public final class RollbackTimer {

  private static final int ATTEMPTS = 5;
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  private final StateStore store;
  private final Clock clock;
  private final Duration tick;

  public RollbackTimer(StateStore store, Clock clock, Duration tick) {
    this.store = store;
    this.clock = clock;
    this.tick = tick;
  }

  /**
   * Runs until the confirmation with {@code id} is resolved; writes one line per event to {@code
   * log}.
   *
   * @param restorer undoes the apply at the deadline
   * @return true when this timer rolled back
   */
  public boolean run(String id, RestorerFactory restorer, PrintWriter log)
      throws IOException, BackendException, StateException, InterruptedException {
    store.markArmed(id, Long.toString(ProcessHandle.current().pid()));
    try {
      log.println(clock.instant() + " timer " + id + ": armed");
      log.flush();
      while (true) {
        Optional<PendingConfirmation.Head> pending = store.pendingHead();
        if (pending.isEmpty() || !pending.get().id().equals(id)) {
          log.println(
              clock.instant()
                  + " timer "
                  + id
                  + ": confirmed or resolved elsewhere; nothing to do");
          return false;
        }
        Instant deadline = pending.get().deadline();
        Instant now = clock.instant();
        if (!now.isBefore(deadline)) {
          return rollBack(id, deadline, restorer, log);
        }
        Duration left = Duration.between(now, deadline);
        Thread.sleep(Math.max(1, Math.min(tick.toMillis(), left.toMillis())));
      }
    } finally {
      log.flush();
      Files.deleteIfExists(store.armedMarker(id));
    }
  }

  /**
   * Undoes the apply under the lock. A failure (nft busy, a transient error) is retried a few
   * times: giving up leaves rules in force that nobody confirmed. A state that is not valid to
   * restore ({@link StateException}) is not retried: it stays invalid.
   */
  private boolean rollBack(String id, Instant deadline, RestorerFactory restorer, PrintWriter log)
      throws IOException, BackendException, StateException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try (StateStore.Lock lock = store.lock()) {
        Optional<Restorer.Result> result = restorer.create().undoPending(id);
        log.println(
            clock.instant()
                + " timer "
                + id
                + ": "
                + result
                    .map(r -> "not confirmed by " + deadline + "; " + r.message())
                    .orElse("resolved elsewhere at the deadline; nothing to do"));
        return result.isPresent();
      } catch (BackendException | IOException e) {
        log.println(
            clock.instant()
                + " timer "
                + id
                + ": rollback attempt "
                + attempt
                + " failed: "
                + e.getMessage());
        log.flush();
        if (attempt >= ATTEMPTS) {
          throw e;
        }
      }
      Thread.sleep(RETRY_PAUSE.toMillis());
    }
  }

  /** Builds the restorer only when needed: at the deadline, the backend is opened then. */
  @FunctionalInterface
  public interface RestorerFactory {
    Restorer create() throws BackendException, IOException;
  }
}
