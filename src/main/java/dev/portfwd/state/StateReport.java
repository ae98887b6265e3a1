package dev.portfwd.state;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompiledForward;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * What {@code status} says about the state directory: which table is live (the last one applied, if
 * the kernel still holds exactly its forwards), and whether an {@code apply --confirm} waits.
 *
 * @param table the file of the live table; empty when unknown or not live
 * @param live true when the kernel holds exactly the last applied state's forwards
 * @param line one sentence for people
 * @param pendingUntil the confirmation deadline, when one waits
 */
public record StateReport(
    Optional<String> table,
    Optional<Instant> appliedAt,
    boolean live,
    String line,
    Optional<Instant> pendingUntil) {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  /**
   * Reads the state directory (never creates it) and compares its last state with {@code
   * installed}, the forwards the kernel holds as {@code backend} read them (for {@code status}, the
   * read that also gave the counters: no second listing of the kernel).
   */
  public static StateReport of(StateStore store, Backend backend, List<CompiledForward> installed)
      throws IOException {
    return of(store, backend, installed, Clock.systemUTC());
  }

  /** {@link #of(StateStore, Backend, List)} at the time {@code clock} tells. */
  public static StateReport of(
      StateStore store, Backend backend, List<CompiledForward> installed, Clock clock)
      throws IOException {
    Optional<PendingConfirmation> pending = store.pending();
    Optional<StateStore.Entry> current = store.current();
    Instant now = clock.instant();
    String waiting =
        pending
            .map(
                p ->
                    now.isAfter(p.deadline().plus(OverdueConfirmation.GRACE))
                        ? "; an 'apply --confirm' was not confirmed by "
                            + TIME.format(p.deadline())
                            + " and its rollback timer did"
                            + " not run: 'portfwd rollback' (or the next apply or watch) rolls it back"
                        : "; an 'apply --confirm' waits for confirmation until "
                            + TIME.format(p.deadline())
                            + " ('portfwd confirm' keeps it, 'portfwd rollback' undoes it)")
            .orElse("");
    if (current.isEmpty()) {
      return new StateReport(
          Optional.empty(),
          Optional.empty(),
          false,
          "live table: unknown (nothing recorded in " + store.dir() + ")" + waiting,
          pending.map(PendingConfirmation::deadline));
    }
    Snapshot snapshot = current.get().snapshot();
    List<ForwardChange> changes;
    try {
      changes = Plan.diff(installed, backend.kernelForm(snapshot.forwards()).forwards());
    } catch (IllegalArgumentException e) {
      throw new IOException("the last recorded state is damaged: " + e.getMessage(), e);
    }
    boolean live = changes.isEmpty() && snapshot.backend().equals(backend.name());
    String when = TIME.format(snapshot.appliedAt());
    boolean removed = live && snapshot.isEmpty() && snapshot.source().equals(SafeApply.REMOVED);
    String line =
        removed
            ? "live table: none (portfwd's forwards were removed "
                + when
                + "; 'portfwd rollback' brings them back)"
            : live
                ? "live table: " + snapshot.source() + " (applied " + when + ")"
                : "live table: none of portfwd's; the rules differ from "
                    + snapshot.source()
                    + " applied "
                    + when
                    + " ("
                    + Plan.summary(changes)
                    + " to return to it; changed outside portfwd?)";
    return new StateReport(
        live && !removed ? Optional.of(snapshot.source()) : Optional.empty(),
        Optional.of(snapshot.appliedAt()),
        live,
        line + waiting,
        pending.map(PendingConfirmation::deadline));
  }
}
