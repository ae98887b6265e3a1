package dev.portfwd.cli;

import dev.portfwd.apply.BackendException;
import dev.portfwd.apply.Plan;
import dev.portfwd.state.ConfirmationPrompt;
import dev.portfwd.state.DetachedTimerLauncher;
import dev.portfwd.state.ForwardingSysctls;
import dev.portfwd.state.OverdueConfirmation;
import dev.portfwd.state.SafeApply;
import dev.portfwd.state.StateException;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code apply}'s use of {@link SafeApply}, with errors turned into one-line exits: record the
 * state before the kernel changes (and arm the rollback timer for {@code --confirm}), mark the
 * change done, then wait for the confirmation.
 */
final class SafeApplyStep implements AutoCloseable {

  /** How long a busy host may take to start the timer's JVM before apply gives up (unchanged). */
  private static final Duration ARM_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration TICK = Duration.ofMillis(200);

  private final StateStore store;
  private final SafeApply.Guard guard;

  private SafeApplyStep(StateStore store, SafeApply.Guard guard) {
    this.store = store;
    this.guard = guard;
  }

  /**
   * Records {@code plan} in the state directory and, with {@code confirmSeconds}, arms the timer.
   *
   * @throws PortfwdException exit 1 when another confirmation waits or the timer cannot start
   */
  static SafeApplyStep begin(StateOptions options, KernelSession session, Plan plan, String table,
      boolean managesSysctls, Integer confirmSeconds, PrintWriter err) {
    // err: where restoring an overdue confirmation reports stale UDP conntrack clean-up problems
    StateStore store = options.store();
    Optional<Duration> confirm = Optional.ofNullable(confirmSeconds).map(Duration::ofSeconds);
    if (confirm.isPresent() && (confirmSeconds < 1 || confirmSeconds > 86_400)) {
      throw PortfwdException.invalidInput("--confirm takes 1 to 86400 seconds, not " + confirmSeconds);
    }
    DetachedTimerLauncher launcher = new DetachedTimerLauncher(
        DetachedTimerLauncher.javaCommand(Portfwd.class.getName(), RollbackTimerCommand.NAME), ARM_TIMEOUT);
    SafeApply safeApply = new SafeApply(store, session.backend.name(), new ForwardingSysctls(session.runner),
        launcher, Clock.systemUTC());
    try {
      Optional<String> overdue = OverdueConfirmation.resolve(store, Clock.systemUTC(),
          () -> StateOptions.restorer(store, session, err));
      if (overdue.isPresent()) {
        // The kernel changed under this apply's plan, so it stops here rather than apply a stale one.
        throw PortfwdException.failure(overdue.get() + "; this apply changed nothing, run it again");
      }
      return new SafeApplyStep(store, safeApply.begin(plan, StateOptions.source(table), managesSysctls, confirm));
    } catch (StateException | BackendException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    } catch (IOException e) {
      throw PortfwdException.failure("cannot record the state in " + store.dir() + ": " + e.getMessage()
          + " (use --state-dir or $PORTFWD_STATE_DIR for another place); nothing was changed", e);
    }
  }

  /** The kernel now holds the new rules; the confirmation time starts now. */
  void applied() {
    try {
      guard.applied();
    } catch (IOException e) {
      throw PortfwdException.failure("the rules are applied but " + store.dir() + " could not be updated: "
          + e.getMessage(), e);
    }
  }

  /**
   * With {@code --confirm}: waits for the user, and exits 1 when the change was rolled back.
   * Hang-ups are ignored meanwhile: the terminal going away must not end the wait early.
   */
  void awaitConfirmation(KernelSession session, PrintWriter out, PrintWriter err) {
    if (guard.confirmNotNeeded()) {
      out.println("nothing changed, so there is nothing to confirm");
      out.flush();
    }
    if (guard.pending().isEmpty()) {
      return;
    }
    Signals.ignoreHangup();
    ConfirmationPrompt prompt = new ConfirmationPrompt(store, Clock.systemUTC(), TICK);
    ConfirmationPrompt.Result result;
    try {
      result = prompt.await(guard.pending().get(), System.in, out,
          () -> StateOptions.restorer(store, session, err));
    } catch (IOException | BackendException e) {
      throw PortfwdException.failure("waiting for confirmation failed: " + e.getMessage()
          + "; the rollback timer still undoes the change unless 'portfwd confirm' runs in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PortfwdException.failure("interrupted; the rollback timer still undoes the change unless"
          + " 'portfwd confirm' runs in time");
    }
    if (result.outcome() == ConfirmationPrompt.Outcome.ROLLED_BACK) {
      throw PortfwdException.failure(result.message());
    }
    out.println(result.message());
    out.flush();
  }

  /** Takes the records back when the apply did not happen. */
  @Override
  public void close() {
    try {
      guard.close();
    } catch (IOException e) {
      throw PortfwdException.failure("cannot update " + store.dir() + ": " + e.getMessage(), e);
    }
  }
}
