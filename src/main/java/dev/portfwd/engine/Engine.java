package dev.portfwd.engine;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.Conntrack;
import dev.portfwd.host.ForwardingSysctls;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import dev.portfwd.state.ConfirmationPrompt;
import dev.portfwd.state.OverdueConfirmation;
import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.Restorer;
import dev.portfwd.state.RollbackTimer;
import dev.portfwd.state.SafeApply;
import dev.portfwd.state.Snapshot;
import dev.portfwd.state.StateException;
import dev.portfwd.state.StateLockedException;
import dev.portfwd.state.StateStore;
import dev.portfwd.state.TimerLauncher;
import dev.portfwd.state.UnsafeStateDirException;
import dev.portfwd.watch.Reason;
import dev.portfwd.watch.WatchTarget.Reconciled;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one door through which portfwd changes the kernel: {@code apply}, {@code remove}, {@code
 * rollback}, {@code confirm}, the rollback timer, {@code watch}, the demo and the start-up training
 * run all call it, and none of them calls a backend's {@code apply} itself.
 *
 * <p>A change runs in one order, under the state directory's lock from the first read of the live
 * state to the last write of the history: settle an overdue confirmation, read the record, plan
 * against the live kernel, record the new state (and arm the rollback timer), run the one kernel
 * transaction, switch forwarding on, clear stale UDP flows. A second change waits for the lock
 * (bounded by {@link StateStore#LOCK_WAIT}) and then plans against what the first one left, so two
 * changes never mix and the history always names what is live. Waiting for a confirmation happens
 * outside the lock, so {@code confirm} and {@code rollback} can reach it.
 *
 * <p>The engine prints nothing: it returns what it did ({@link Applied}, {@link Restorer.Result})
 * and reports failures as {@link EngineException}s whose messages say what happened to the host.
 * Clean-up problems of a restore, which cannot fail the restore, go to {@code warnings}.
 */
// "try": the state lock is held for its block and never referenced in it, by design.
@SuppressWarnings("try")
public final class Engine {

  private final Backend backend;
  private final ForwardingSysctls sysctls;
  private final Conntrack conntrack;
  private final StateStore store;
  private final TimerLauncher launcher;
  private final Clock clock;
  private final Consumer<String> warnings;

  /**
   * What this engine last put in the kernel, so {@code watch} plans an edit without reading the
   * state directory back; the kernel's digest still decides whether it is current (a change by
   * another process in between makes it stale, and the kernel is listed instead).
   */
  private Optional<DesiredState> lastApplied = Optional.empty();

  /** How many changes this engine has tried: readers of the live state compare it. */
  private final AtomicLong changes = new AtomicLong();

  /** The history generation the last change of the backends in rotation recorded; -1: none. */
  private long rotationGeneration = -1;

  /** Who hears of each change; the service's metrics. */
  private volatile EngineEvents events = EngineEvents.NONE;

  /**
   * @param launcher starts the rollback timer of {@code --confirm}; {@link #NO_TIMER} where none
   *     may run
   * @param warnings where restores report clean-up problems that do not undo them, one line each
   */
  public Engine(
      Backend backend,
      ForwardingSysctls sysctls,
      Conntrack conntrack,
      StateStore store,
      TimerLauncher launcher,
      Clock clock,
      Consumer<String> warnings) {
    this.backend = backend;
    this.sysctls = sysctls;
    this.conntrack = conntrack;
    this.store = store;
    this.launcher = launcher;
    this.clock = clock;
    this.warnings = warnings;
  }

  /** An engine for the host {@code runner} reaches, with the system clock. */
  public static Engine forHost(
      Backend backend,
      CommandRunner runner,
      StateStore store,
      TimerLauncher launcher,
      Consumer<String> warnings) {
    return new Engine(
        backend,
        new ForwardingSysctls(runner),
        new Conntrack(runner),
        store,
        launcher,
        Clock.systemUTC(),
        warnings);
  }

  /**
   * For engines that never arm a rollback timer ({@code watch}, the demo): asking for one fails.
   */
  public static final TimerLauncher NO_TIMER =
      (store, id, forwards) -> {
        throw new IOException("no rollback timer can be started here");
      };

  /** Tells {@code listener} of every change this engine makes from now on (replacing any other). */
  public void listen(EngineEvents listener) {
    this.events = listener;
  }

  /** The backend's name ({@code nftables}, {@code iptables}). */
  public String backendName() {
    return backend.name();
  }

  public StateStore store() {
    return store;
  }

  /**
   * What {@link #apply} would change now. Reads only and takes no lock: a plan is a preview, and
   * {@code apply} plans again under the lock.
   *
   * @param useRecord false for {@code --reread}
   */
  public Plan plan(DesiredState desired, boolean useRecord) throws EngineException {
    try {
      return backend.plan(desired, useRecord ? recorded() : Optional.empty());
    } catch (BackendException e) {
      throw new EngineException(e.getMessage(), e);
    }
  }

  /**
   * Makes the kernel hold {@code request}'s table, as one change under the lock. With {@code
   * --confirm} the rollback timer is armed before the kernel changes; waiting for the confirmation
   * is {@link #awaitConfirmation}'s part.
   *
   * @throws EngineException when the change could not be made; the message says what stayed
   */
  public Applied apply(ApplyRequest request) throws EngineException {
    return counted(
        () ->
            underLock(
                () -> applyLocked(request),
                e ->
                    "cannot record the state in "
                        + store.dir()
                        + ": "
                        + e.getMessage()
                        + " (use --state-dir or $PORTFWD_STATE_DIR for another place);"
                        + " nothing was changed"));
  }

  private Applied applyLocked(ApplyRequest request)
      throws EngineException, StateException, BackendException, IOException {
    Optional<String> overdue = resolveOverdue();
    if (overdue.isPresent()) {
      // The kernel changed under the caller's view of it: say so rather than apply on top.
      throw new EngineException(overdue.get() + "; this apply changed nothing, run it again");
    }
    Plan plan =
        backend.plan(request.desired(), request.useRecord() ? recorded() : Optional.empty());
    return applyPlanned(plan, request.source(), request.managesSysctls(), request.confirm());
  }

  /**
   * Records {@code plan} (arming the timer for {@code confirm}) and runs it; the caller holds the
   * lock and planned under it.
   */
  private Applied applyPlanned(
      Plan plan, String source, boolean managesSysctls, Optional<Duration> confirm)
      throws EngineException, StateException, BackendException, IOException {
    SafeApply.Guard guard =
        new SafeApply(store, backend.name(), sysctls, launcher, clock)
            .begin(plan, source, managesSysctls, confirm);
    try (guard) {
      backend.apply(plan);
      guard.applied();
    } catch (IOException e) {
      throw new EngineException(
          "the rules are applied but " + store.dir() + " could not be updated: " + e.getMessage(),
          e);
    }
    lastApplied = Optional.of(plan.desired());
    List<String> notes = managesSysctls ? enableForwarding(plan.desired()) : List.of();
    List<String> problems = new ArrayList<>();
    clearStaleUdp(plan).ifPresent(problems::add);
    return new Applied(plan, notes, problems, guard.pending());
  }

  /**
   * Makes the kernel hold the recorded state {@code generation} again, as one change under the
   * lock, like an apply of its forwards: it is recorded as a new state (so a plain {@code rollback}
   * undoes it), with {@code confirm} the rollback timer is armed first, and IP forwarding is
   * switched on where its forwards need it, never off. The recorded forwards are checked as a table
   * is before anything changes.
   *
   * @throws EngineException when no state {@code generation} is kept, it is not valid, it was
   *     applied with another backend, or an {@code apply --confirm} waits; nothing was changed
   */
  public RestoredState rollbackTo(
      long generation, boolean managesSysctls, Optional<Duration> confirm) throws EngineException {
    return counted(
        () ->
            underLock(
                () -> rollbackToLocked(generation, managesSysctls, confirm),
                this::cannotReadOrUpdate));
  }

  private RestoredState rollbackToLocked(
      long generation, boolean managesSysctls, Optional<Duration> confirm)
      throws EngineException, StateException, BackendException, IOException {
    Optional<String> overdue = resolveOverdue();
    if (overdue.isPresent()) {
      throw new EngineException(overdue.get() + "; this rollback changed nothing, run it again");
    }
    Optional<PendingConfirmation> pending = store.pending();
    if (pending.isPresent()) {
      throw new EngineException(
          "an 'apply --confirm' waits for confirmation until "
              + pending.get().deadline()
              + "; run 'portfwd confirm' to keep it or 'portfwd rollback' to undo it first;"
              + " nothing was changed");
    }
    List<StateStore.Entry> history = store.history();
    StateStore.Entry entry =
        history.stream()
            .filter(e -> e.generation() == generation)
            .findFirst()
            .orElseThrow(() -> unknownState(generation, history));
    Snapshot target = entry.snapshot();
    if (!target.backend().equals(backend.name())) {
      throw new EngineException(
          "state "
              + generation
              + " was applied with the "
              + target.backend()
              + " backend; run the command again with --backend "
              + target.backend()
              + "; nothing was changed");
    }
    DesiredState forwards = restorer().checkedForwards(entry);
    Plan plan = target.isEmpty() ? backend.planRemove() : backend.plan(forwards, recorded());
    Applied applied =
        applyPlanned(plan, RestoredState.source(target, generation), managesSysctls, confirm);
    long recordedAs = store.current().map(StateStore.Entry::generation).orElse(generation);
    return new RestoredState(generation, target, recordedAs, applied);
  }

  /**
   * The recorded state before the live one, where a plain {@code rollback} returns: {@code rollback
   * --confirm} goes there through {@link #rollbackTo}, so that the rollback itself can be undone.
   *
   * @throws EngineException when an {@code apply --confirm} waits (a plain rollback undoes it at
   *     once) or no earlier state is recorded
   */
  public long previousState() throws EngineException {
    return underLock(
        () -> {
          Optional<PendingConfirmation> pending = store.pending();
          if (pending.isPresent()) {
            throw new EngineException(
                "an 'apply --confirm' waits for confirmation until "
                    + pending.get().deadline()
                    + "; 'portfwd rollback' without --confirm undoes it at once; nothing was"
                    + " changed");
          }
          List<StateStore.Entry> history = store.latest(2);
          if (history.size() < 2) {
            throw new EngineException(
                history.isEmpty()
                    ? "nothing to roll back: portfwd has not applied anything with state directory "
                        + store.dir()
                    : "nothing to roll back to: no earlier state is recorded in " + store.dir());
          }
          return history.get(1).generation();
        },
        e -> "cannot read " + store.dir() + ": " + e.getMessage());
  }

  private EngineException unknownState(long generation, List<StateStore.Entry> history) {
    return new EngineException(
        "no state "
            + generation
            + " is recorded in "
            + store.dir()
            + (history.isEmpty()
                ? " (nothing is)"
                : " (kept: "
                    + history.stream()
                        .map(e -> Long.toString(e.generation()))
                        .collect(java.util.stream.Collectors.joining(", "))
                    + "; 'portfwd rollback --list' shows them)")
            + "; nothing was changed");
  }

  /**
   * Waits for the user to confirm {@code pending} on {@code in} (prompting on {@code out}), for
   * {@code portfwd confirm} or {@code rollback} from elsewhere, or for the deadline, and rolls back
   * unless confirmed.
   */
  public ConfirmationPrompt.Result awaitConfirmation(
      PendingConfirmation pending, Duration tick, InputStream in, PrintWriter out)
      throws EngineException {
    try {
      return new ConfirmationPrompt(store, clock, tick).await(pending, in, out, this::restorer);
    } catch (StateException e) {
      throw new EngineException(e.getMessage(), e);
    } catch (IOException | BackendException e) {
      throw new EngineException(
          "waiting for confirmation failed: "
              + e.getMessage()
              + "; the rollback timer still undoes the change unless 'portfwd confirm' runs in time",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException(
          "interrupted; the rollback timer still undoes the change unless"
              + " 'portfwd confirm' runs in time");
    }
  }

  /**
   * Deletes every forward portfwd installed, and records the empty state so {@code status} says so
   * and {@code rollback} brings the forwards back. Refused while an {@code apply --confirm} waits:
   * the rollback timer would otherwise restore the old forwards behind the admin's back.
   *
   * @return the plan run; empty when nothing was installed
   */
  public Plan remove() throws EngineException {
    return counted(() -> underLock(this::removeLocked, this::cannotReadOrUpdate));
  }

  private Plan removeLocked()
      throws EngineException, StateException, BackendException, IOException {
    resolveOverdue().ifPresent(warnings);
    Optional<PendingConfirmation> pending = store.pending();
    if (pending.isPresent()) {
      throw new EngineException(
          "an 'apply --confirm' waits for confirmation until "
              + pending.get().deadline()
              + "; run 'portfwd confirm' to keep it or 'portfwd rollback' to undo it, then remove; nothing was changed");
    }
    Plan plan = backend.planRemove();
    if (plan.isEmpty()) {
      return plan;
    }
    SafeApply.Guard guard =
        new SafeApply(store, backend.name(), sysctls, launcher, clock)
            .begin(plan, SafeApply.REMOVED, /* managesSysctls= */ false, Optional.empty());
    try (guard) {
      backend.apply(plan);
      guard.applied();
    }
    lastApplied = Optional.empty();
    clearStaleUdp(plan).ifPresent(warnings);
    return plan;
  }

  private String cannotReadOrUpdate(IOException e) {
    return "cannot read or update " + store.dir() + ": " + e.getMessage() + "; nothing was changed";
  }

  /**
   * Undoes an {@code apply --confirm} that waits, or else returns to the state applied before the
   * live one (forwards and the forwarding sysctls portfwd switched on).
   */
  public Restorer.Result rollback() throws EngineException {
    return counted(this::rollbackLocked);
  }

  private Restorer.Result rollbackLocked() throws EngineException {
    try (StateStore.Lock lock = lock()) {
      Optional<PendingConfirmation> pending = store.pending();
      Restorer restorer = restorer();
      Restorer.Result result =
          pending.isPresent() ? restorer.undo(pending.get()) : restorer.rollbackOne();
      lastApplied = Optional.empty();
      return result;
    } catch (IllegalStateException | StateException | UnsafeStateDirException e) {
      throw new EngineException(e.getMessage(), e);
    } catch (BackendException e) {
      throw new EngineException("rollback failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new EngineException("cannot read or update " + store.dir() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Keeps the rules of the {@code apply --confirm} that waits in {@code store}. Needs no backend:
   * it only settles the record under the lock, and the prompt and the timer see that.
   *
   * @return what was confirmed
   * @throws EngineException when nothing waits, or its time is over (the rollback is under way)
   */
  public static PendingConfirmation confirm(StateStore store, Clock clock) throws EngineException {
    try (StateStore.Lock lock = store.lock()) {
      Optional<PendingConfirmation> pending = store.pending();
      if (pending.isEmpty()) {
        throw new EngineException(
            "nothing waits for confirmation in "
                + store.dir()
                + " (it may have been rolled back already; 'portfwd status' shows what is in force)");
      }
      if (!clock.instant().isBefore(pending.get().deadline())) {
        throw new EngineException(
            "too late: the time to confirm ended at "
                + pending.get().deadline()
                + " and the change is being rolled back; apply again to retry");
      }
      store.clearPending();
      return pending.get();
    } catch (UnsafeStateDirException e) {
      throw new EngineException(e.getMessage(), e);
    } catch (IOException e) {
      throw new EngineException("cannot read or update " + store.dir() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The body of the detached rollback timer for the confirmation {@code id}: waits for its deadline
   * and undoes the apply unless it was confirmed. Logs one line per event.
   *
   * @return true when this timer rolled back
   */
  public boolean runRollbackTimer(String id, Duration tick, PrintWriter log)
      throws EngineException {
    try {
      return new RollbackTimer(store, clock, tick).run(id, this::restorer, log);
    } catch (StateException e) {
      throw new EngineException("rollback timer " + id + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new EngineException("rollback timer " + id + ": " + e.getMessage(), e);
    } catch (BackendException e) {
      throw new EngineException("rollback timer " + id + ": rollback failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("rollback timer " + id + ": interrupted");
    }
  }

  /**
   * {@code watch}'s step: makes the host hold {@code desired} under the lock. At start and after an
   * edit the change is recorded like an apply; a drift repair restores the recorded state and adds
   * no history. While an {@code apply --confirm} waits, or another command holds the lock, it
   * checks nothing and says why.
   *
   * @param source the table file, recorded for {@code status}
   * @param managesSysctls false for {@code --no-sysctl}: leave IP forwarding as it is
   */
  public Reconciled reconcile(
      DesiredState desired, Reason reason, String source, boolean managesSysctls)
      throws BackendException {
    long start = System.nanoTime();
    Reconciled result = null;
    try {
      result = reconcileLocked(desired, reason, source, managesSysctls);
      return result;
    } finally {
      // A drift check that found the kernel in sync changed nothing: not a change to count.
      // A skipped step (the lock busy, a confirmation waiting) tried nothing.
      boolean changed =
          result == null
              || (result.skipped() == null
                  && (reason != Reason.DRIFT || result.changedSomething()));
      if (changed) {
        report(start, result != null);
      }
      if (reason == Reason.DRIFT && result != null && result.changedSomething()) {
        events.driftRepaired();
      }
    }
  }

  private Reconciled reconcileLocked(
      DesiredState desired, Reason reason, String source, boolean managesSysctls)
      throws BackendException {
    List<String> notes = new ArrayList<>();
    StateStore.Lock lock;
    try {
      lock = lock();
    } catch (IOException e) {
      return new Reconciled(emptyPlan(), List.of(), e.getMessage());
    }
    try (lock) {
      try {
        resolveOverdue().ifPresent(notes::add);
        if (store.pending().isPresent()) {
          return new Reconciled(
              emptyPlan(), List.of(), "an 'apply --confirm' waits for confirmation");
        }
      } catch (StateException e) {
        // An overdue confirmation that cannot be undone: applying over it would bury it.
        return new Reconciled(emptyPlan(), notes, e.getMessage());
      } catch (IOException e) {
        warnings.accept("cannot read " + store.dir() + ": " + e.getMessage());
      }
      // After an edit the record of the last apply is trusted when the kernel proves it current;
      // at start and after drift the kernel is read whole, since something else may have changed
      // it.
      Optional<DesiredState> recorded =
          reason != Reason.EDIT && reason != Reason.BACKENDS
              ? Optional.empty()
              : lastApplied.isPresent() ? lastApplied : recorded();
      lastApplied = Optional.empty();
      Plan plan = backend.plan(desired, recorded);
      if (reason == Reason.DRIFT) {
        if (!plan.isEmpty()) {
          backend.apply(plan);
        }
      } else if (reason == Reason.BACKENDS) {
        applyRotation(plan, source, managesSysctls, notes);
      } else {
        applyRecorded(plan, source, managesSysctls, notes);
      }
      if (managesSysctls) {
        notes.addAll(enableForwarding(desired));
      }
      lastApplied = Optional.of(plan.desired());
      clearStaleUdp(plan).ifPresent(warnings);
      return new Reconciled(plan, notes, null);
    } catch (IOException e) {
      warnings.accept("cannot release the lock of " + store.dir() + ": " + e.getMessage());
      return new Reconciled(emptyPlan(), notes, e.getMessage());
    }
  }

  /**
   * How many changes (applies, removals, rollbacks, repairs, failed ones too) this engine has made
   * so far: a value that moved means what was read of the kernel before may be out of date.
   */
  public long changeCount() {
    return changes.get();
  }

  /**
   * The installed forwards with their counters, and the connections conntrack holds for each (-1
   * when unknown). Reads only.
   */
  public List<LiveForward> status() throws EngineException {
    return liveStatus().forwards();
  }

  /**
   * {@link #status}, with the reason the connection counts are unknown when they are (conntrack not
   * installed, or failing). Reads only.
   */
  public LiveStatus liveStatus() throws EngineException {
    List<LiveForward> forwards;
    try {
      forwards = backend.status();
    } catch (BackendException e) {
      throw new EngineException(e.getMessage(), e);
    }
    if (forwards.isEmpty()) {
      return new LiveStatus(forwards, Optional.empty());
    }
    if (!conntrack.available()) {
      return new LiveStatus(
          forwards,
          Optional.of(
              "conntrack is not installed, and open connections are counted with it;"
                  + " install it: apt-get install conntrack"));
    }
    try {
      Map<CompiledForward, Long> counts =
          conntrack.count(forwards.stream().map(LiveForward::forward).toList());
      return new LiveStatus(
          forwards.stream()
              .map(f -> f.withConnections(counts.getOrDefault(f.forward(), -1L)))
              .toList(),
          Optional.empty());
    } catch (IOException e) {
      // The counts stay unknown (-1); the forwards themselves are still right.
      return new LiveStatus(
          forwards, Optional.of("open connections could not be counted: " + e.getMessage()));
    }
  }

  /** A change the engine makes, counted by {@link #counted}. */
  @FunctionalInterface
  private interface Change<T> {
    T run() throws EngineException;
  }

  /** A change's steps that run under the state lock, as {@link #underLock} runs them. */
  @FunctionalInterface
  private interface LockedSteps<T> {
    T run() throws EngineException, StateException, BackendException, IOException;
  }

  /**
   * Runs {@code change} and tells the listener that a change was made, and whether it failed: a
   * change that threw failed.
   */
  private <T> T counted(Change<T> change) throws EngineException {
    long start = System.nanoTime();
    T result = null;
    try {
      result = change.run();
      return result;
    } finally {
      report(start, result != null);
    }
  }

  /**
   * Runs {@code steps} holding the state lock. A failure of the state, the backend, the state
   * directory's safety or the lock (whose messages already say what happened) becomes an {@link
   * EngineException} with the same message; any other I/O failure one with {@code ioFailure}'s.
   */
  private <T> T underLock(LockedSteps<T> steps, Function<IOException, String> ioFailure)
      throws EngineException {
    try (StateStore.Lock lock = lock()) {
      return steps.run();
    } catch (StateLockedException | UnsafeStateDirException | StateException | BackendException e) {
      throw new EngineException(e.getMessage(), e);
    } catch (IOException e) {
      throw new EngineException(ioFailure.apply(e), e);
    }
  }

  private void report(long startNanos, boolean ok) {
    changes.incrementAndGet();
    events.changed(
        ok ? EngineEvents.Outcome.OK : EngineEvents.Outcome.FAILED,
        Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /** Applies and records it; a state directory that cannot be written does not stop forwarding. */
  private void applyRecorded(Plan plan, String source, boolean managesSysctls, List<String> notes)
      throws BackendException {
    SafeApply.Guard guard;
    try {
      guard =
          new SafeApply(store, backend.name(), sysctls, NO_TIMER, clock)
              .begin(plan, source, managesSysctls, Optional.empty());
    } catch (IOException | StateException e) {
      notes.add("could not record the state in " + store.dir() + ": " + e.getMessage());
      if (!plan.isEmpty()) {
        backend.apply(plan);
      }
      return;
    }
    try (guard) {
      if (!plan.isEmpty()) {
        backend.apply(plan);
      }
      guard.applied();
    } catch (IOException e) {
      notes.add("could not update " + store.dir() + ": " + e.getMessage());
    }
  }

  /**
   * {@link #applyRecorded} for a change of the backends in rotation: a state it recorded for the
   * previous such change, still the newest, is forgotten once the new one is recorded, so a
   * flapping backend takes one history entry, not all {@link StateStore#KEEP}, and {@code rollback}
   * still reaches the tables applied before it.
   */
  private void applyRotation(Plan plan, String source, boolean managesSysctls, List<String> notes)
      throws BackendException {
    Optional<StateStore.Entry> before = Optional.empty();
    try {
      before = store.current();
    } catch (IOException | RuntimeException e) {
      // Unreadable: the new state is recorded on top, as for any apply.
    }
    applyRecorded(plan, source, managesSysctls, notes);
    try {
      Optional<StateStore.Entry> after = store.current();
      if (before.isPresent()
          && before.get().generation() == rotationGeneration
          && after.isPresent()
          && after.get().generation() != rotationGeneration) {
        store.forget(rotationGeneration);
      }
      rotationGeneration = after.map(StateStore.Entry::generation).orElse(-1L);
    } catch (IOException | RuntimeException e) {
      notes.add("could not update " + store.dir() + ": " + e.getMessage());
    }
  }

  private StateStore.Lock lock() throws IOException {
    return store.lock();
  }

  /**
   * Rolls back an {@code apply --confirm} whose timer never acted (a reboot); the caller holds the
   * lock.
   */
  private Optional<String> resolveOverdue() throws IOException, BackendException, StateException {
    return OverdueConfirmation.resolve(store, clock, this::restorer);
  }

  /**
   * What portfwd last applied with this backend according to the state directory, when the backend
   * may use it; empty when there is none or it cannot be read (the plan then reads the kernel, as
   * it always may). A first apply of 10,000 forwards need not parse an old record.
   */
  Optional<DesiredState> recorded() {
    try {
      if (!backend.mayUseRecord()) {
        return Optional.empty();
      }
      return store
          .current()
          .map(StateStore.Entry::snapshot)
          .filter(snapshot -> snapshot.backend().equals(backend.name()))
          .map(Snapshot::forwards);
    } catch (BackendException | IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private List<String> enableForwarding(DesiredState desired) throws BackendException {
    List<String> notes = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      if (desired.uses(family)) {
        sysctls.enable(family).ifPresent(notes::add);
      }
    }
    return notes;
  }

  /** Best effort: the forwards are in place; a conntrack failure only delays stale UDP flows. */
  private Optional<String> clearStaleUdp(Plan plan) {
    if (plan.changes().isEmpty()) {
      return Optional.empty();
    }
    if (!conntrack.available()) {
      boolean udp = plan.changes().stream().anyMatch(c -> c.subject().protocol() == Protocol.UDP);
      return udp
          ? Optional.of(
              "conntrack is not installed, so UDP flows that were running keep their old path"
                  + " until idle; install it: apt-get install conntrack")
          : Optional.empty();
    }
    try {
      conntrack.deleteStaleUdp(plan.changes());
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("could not clear stale UDP conntrack entries: " + e.getMessage());
    }
  }

  private Restorer restorer() {
    return new Restorer(store, backend, sysctls, plan -> clearStaleUdp(plan).ifPresent(warnings));
  }

  private Plan emptyPlan() {
    return new Plan(backend.name(), DesiredState.empty(), List.of(), "");
  }
}
