package dev.portfwd.state;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.Plan;
import dev.portfwd.host.ForwardingSysctls;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Wraps one {@code apply} so it can be undone: records the state it replaces and the one it
 * installs in the {@link StateStore} (for {@code rollback} and {@code status}), and for {@code
 * --confirm} arms a detached rollback timer <em>before</em> the kernel changes, so there is no
 * moment where new rules are in force without a way back.
 *
 * <p>Use: {@code try (Guard guard = safeApply.begin(...)) { backend.apply(plan); …;
 * guard.applied(); }}. A guard closed without {@link Guard#applied()} (the apply failed) takes its
 * records back.
 */
// "try": a StateStore.Lock is held for its block and never referenced in it, by design.
@SuppressWarnings("try")
public final class SafeApply {

  /** Source recorded for a state portfwd found in the kernel rather than applied from a file. */
  public static final String LIVE_BEFORE = "live state before apply";

  /** Source recorded for the empty state {@code portfwd remove} leaves. */
  public static final String REMOVED = "portfwd remove";

  /** The timer's deadline until the apply finished; {@link Guard#applied()} sets the real one. */
  private static final Duration ARMING_GRACE = Duration.ofSeconds(60);

  private final StateStore store;
  private final String backend;
  private final ForwardingSysctls sysctls;
  private final TimerLauncher launcher;
  private final Clock clock;

  public SafeApply(
      StateStore store,
      String backend,
      ForwardingSysctls sysctls,
      TimerLauncher launcher,
      Clock clock) {
    this.store = store;
    this.backend = backend;
    this.sysctls = sysctls;
    this.launcher = launcher;
    this.clock = clock;
  }

  /**
   * Records what {@code plan} replaces and installs, and with {@code confirm} arms the rollback
   * timer. Call after planning and before applying.
   *
   * @param source the table's file name, for {@code status}
   * @param managesSysctls false for {@code --no-sysctl}: apply switches no sysctl on
   * @throws StateException when another apply waits for confirmation, or the timer cannot start
   */
  public Guard begin(Plan plan, String source, boolean managesSysctls, Optional<Duration> confirm)
      throws StateException, IOException, BackendException {
    try (StateStore.Lock lock = store.lock()) {
      Optional<PendingConfirmation> waiting = store.pending();
      if (waiting.isPresent()) {
        throw new StateException(
            "an earlier 'apply --confirm' waits for confirmation until "
                + waiting.get().deadline()
                + "; run 'portfwd confirm' to keep it or 'portfwd rollback' to undo it first");
      }
      Instant now = clock.instant();
      List<String> desired = Snapshot.lines(plan.desired());
      List<String> prior = PriorState.lines(plan, desired);
      Optional<StateStore.Entry> top = store.current();
      Set<String> heldOn = top.map(e -> e.snapshot().forwardingOn()).orElse(Set.of());
      boolean topIsLive = top.isPresent() && top.get().snapshot().sameForwardsAs(prior);
      Set<String> switchOn = managesSysctls ? sysctls.offButNeeded(plan.desired()) : Set.of();
      if (plan.isEmpty() && switchOn.isEmpty()) {
        // Nothing changes on the host. Record which table this is (status names it), without an
        // extra history entry to roll back through.
        Snapshot same = new Snapshot(source, now, backend, desired, heldOn);
        long generation;
        if (topIsLive) {
          generation = top.get().generation();
          store.replace(generation, same);
        } else {
          generation = store.push(same);
        }
        return new Guard(generation, false, Optional.empty(), confirm);
      }
      Snapshot before;
      if (topIsLive) {
        before = top.get().snapshot();
      } else {
        // First apply with this state directory, or the kernel changed behind portfwd's back:
        // record what is really live, so a rollback returns to it and not to an older record.
        before = new Snapshot(LIVE_BEFORE, now, backend, prior, heldOn);
        store.push(before);
      }
      Set<String> afterOn = new TreeSet<>(before.forwardingOn());
      afterOn.addAll(switchOn);
      Snapshot after = new Snapshot(source, now, backend, desired, afterOn);
      long generation = store.push(after);
      if (confirm.isEmpty()) {
        return new Guard(generation, true, Optional.empty(), confirm);
      }
      PendingConfirmation pending =
          new PendingConfirmation(
              newId(),
              now.plus(confirm.get()).plus(ARMING_GRACE),
              backend,
              generation,
              before,
              switchOn,
              after.describe());
      store.writePending(pending);
      try {
        launcher.launch(store, pending.id(), before.lines().size() + desired.size());
      } catch (IOException e) {
        store.clearPending();
        store.dropFrom(generation);
        throw new StateException(e.getMessage() + "; nothing was changed", e);
      }
      return new Guard(generation, true, Optional.of(pending), confirm);
    }
  }

  private static String newId() {
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** One apply in progress; see {@link SafeApply}. */
  public final class Guard implements AutoCloseable {
    private final long generation;
    private final boolean pushed;
    private final Optional<Duration> confirm;
    private Optional<PendingConfirmation> pending;
    private boolean applied;

    private Guard(
        long generation,
        boolean pushed,
        Optional<PendingConfirmation> pending,
        Optional<Duration> confirm) {
      this.generation = generation;
      this.pushed = pushed;
      this.pending = pending;
      this.confirm = confirm;
    }

    /**
     * The confirmation this apply waits for; empty without {@code --confirm} or when nothing
     * changed.
     */
    public Optional<PendingConfirmation> pending() {
      return pending;
    }

    /**
     * Marks the kernel change done. With {@code --confirm}, the timer's deadline now starts: the
     * user gets the whole time to test the new rules.
     */
    public void applied() throws IOException {
      applied = true;
      if (pending.isEmpty()) {
        return;
      }
      try (StateStore.Lock lock = store.lock()) {
        Optional<PendingConfirmation> stored = store.pending();
        if (stored.isPresent() && stored.get().id().equals(pending.get().id())) {
          PendingConfirmation p = stored.get();
          pending =
              Optional.of(
                  new PendingConfirmation(
                      p.id(),
                      clock.instant().plus(confirm.orElseThrow()),
                      p.backend(),
                      p.generation(),
                      p.restore(),
                      p.switchOff(),
                      p.applied()));
          store.writePending(pending.get());
        }
      }
    }

    /** Without {@link #applied()}: forgets what {@link #begin} recorded, and disarms the timer. */
    @Override
    public void close() throws IOException {
      if (applied) {
        return;
      }
      try (StateStore.Lock lock = store.lock()) {
        Optional<PendingConfirmation> stored = store.pending();
        if (pending.isPresent()
            && stored.isPresent()
            && stored.get().id().equals(pending.get().id())) {
          store.clearPending();
        }
        if (pushed) {
          store.dropFrom(generation);
        }
      }
    }
  }
}
