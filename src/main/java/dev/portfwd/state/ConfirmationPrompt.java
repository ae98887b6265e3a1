package dev.portfwd.state;

import dev.portfwd.backend.BackendException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The foreground half of {@code apply --confirm}: asks on the terminal, and ends when the user
 * types {@code yes} (keep) or {@code no} (undo now), when {@code portfwd confirm} or {@code portfwd
 * rollback} from another shell resolves the record, or at the deadline (undo). The detached timer
 * undoes at the deadline too; both act under the state lock, so only one does. A closed standard
 * input (no terminal, a dead SSH session) just leaves the other ways.
 */
// "try": a StateStore.Lock is held for its block and never referenced in it, by design.
@SuppressWarnings("try")
public final class ConfirmationPrompt {

  /** How the wait ended. */
  public enum Outcome {
    CONFIRMED,
    ROLLED_BACK
  }

  /** The outcome and the line that says it. */
  public record Result(Outcome outcome, String message) {}

  private static final String EOF = "\u0000eof";

  private final StateStore store;
  private final Clock clock;
  private final Duration tick;

  public ConfirmationPrompt(StateStore store, Clock clock, Duration tick) {
    this.store = store;
    this.clock = clock;
    this.tick = tick;
  }

  /**
   * Waits for the confirmation of {@code pending}; prompts on {@code out}.
   *
   * @param restorer undoes the apply when the user says no or time runs out
   */
  public Result await(
      PendingConfirmation pending,
      InputStream in,
      PrintWriter out,
      RollbackTimer.RestorerFactory restorer)
      throws IOException, BackendException, StateException, InterruptedException {
    long millis = Math.max(0, Duration.between(clock.instant(), pending.deadline()).toMillis());
    long seconds = (millis + 999) / 1000;
    out.println(
        "Type 'yes' within "
            + seconds
            + " s to keep the new rules (or run 'portfwd confirm' in another"
            + " shell); otherwise they are rolled back. 'no' rolls back now.");
    out.flush();
    BlockingQueue<String> lines = readLinesInBackground(in);
    while (true) {
      String line = lines.poll(tick.toMillis(), TimeUnit.MILLISECONDS);
      Optional<Result> elsewhere = resolvedElsewhere(pending);
      if (elsewhere.isPresent()) {
        return elsewhere.get();
      }
      if (line != null && !line.equals(EOF)) {
        String answer = line.strip().toLowerCase(Locale.ROOT);
        if (answer.equals("yes") || answer.equals("y")) {
          Optional<Result> confirmed = confirm(pending);
          if (confirmed.isPresent()) {
            return confirmed.get();
          }
        } else if (answer.equals("no") || answer.equals("n")) {
          Optional<Result> undone = undo(pending, restorer, "rolled back as asked");
          if (undone.isPresent()) {
            return undone.get();
          }
        } else {
          out.println("Type 'yes' to keep the new rules or 'no' to roll back.");
          out.flush();
        }
      }
      if (!clock.instant().isBefore(pending.deadline())) {
        Optional<Result> undone = undo(pending, restorer, "not confirmed within the time given");
        if (undone.isPresent()) {
          return undone.get();
        }
      }
    }
  }

  private Optional<Result> confirm(PendingConfirmation pending) throws IOException {
    try (StateStore.Lock lock = store.lock()) {
      Optional<PendingConfirmation> stored = store.pending();
      // A 'yes' after the deadline is too late: the rollback promised at the deadline happens.
      if (stored.isPresent()
          && stored.get().id().equals(pending.id())
          && clock.instant().isBefore(pending.deadline())) {
        store.clearPending();
        return Optional.of(
            new Result(Outcome.CONFIRMED, "confirmed: keeping " + pending.applied()));
      }
    }
    return resolvedElsewhere(pending);
  }

  private Optional<Result> undo(
      PendingConfirmation pending, RollbackTimer.RestorerFactory restorer, String why)
      throws IOException, BackendException, StateException {
    try (StateStore.Lock lock = store.lock()) {
      Optional<Restorer.Result> result = restorer.create().undoPending(pending.id());
      if (result.isPresent()) {
        return Optional.of(new Result(Outcome.ROLLED_BACK, why + ": " + result.get().message()));
      }
    }
    return resolvedElsewhere(pending);
  }

  /**
   * Empty while the record is still pending. Once it is gone, the history tells how it ended: an
   * undo drops the apply's generation, a confirmation keeps it.
   */
  private Optional<Result> resolvedElsewhere(PendingConfirmation pending) throws IOException {
    Optional<PendingConfirmation.Head> stored = store.pendingHead();
    if (stored.isPresent() && stored.get().id().equals(pending.id())) {
      return Optional.empty();
    }
    boolean kept = store.contains(pending.generation());
    return Optional.of(
        kept
            ? new Result(
                Outcome.CONFIRMED, "confirmed from elsewhere: keeping " + pending.applied())
            : new Result(
                Outcome.ROLLED_BACK,
                "rolled back (by the rollback timer or 'portfwd rollback'): "
                    + "the state before the apply is back"));
  }

  private static BlockingQueue<String> readLinesInBackground(InputStream in) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // A terminal that went away reads as end of input: the other ways to end still
                // work.
              }
              lines.add(EOF);
            },
            "confirm-stdin");
    // Daemon: a read blocked on a terminal must not keep the JVM alive once the wait is over.
    reader.setDaemon(true);
    reader.start();
    return lines;
  }
}
