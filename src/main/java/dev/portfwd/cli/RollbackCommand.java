package dev.portfwd.cli;

import dev.portfwd.engine.Engine;
import dev.portfwd.engine.EngineException;
import dev.portfwd.host.Signals;
import dev.portfwd.state.ConfirmationPrompt;
import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd rollback}: undoes an {@code apply --confirm} that waits, or else returns to the
 * state applied before the live one (forwards and the forwarding sysctls portfwd switched on); with
 * {@code --to ID}, returns to that recorded state. In the service, the watched table file is
 * rewritten to what is in force, as the dashboard's rollback does, so watch keeps it.
 */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = {
      "Return to the portfwd state before the last apply, or to any recorded state.",
      "Restores its forwards, and switches IP forwarding off again if that apply switched it on. Undoes an"
          + " 'apply --confirm' that still waits. Run it again to go back further (the last 10 states are"
          + " kept), or name the state with --to (--list shows them). With --confirm it is undone unless"
          + " confirmed in time, as 'apply --confirm' is. Through the running service, the"
          + " table file it watches is rewritten to the restored forwards. Needs root."
    })
final class RollbackCommand implements Runnable {

  private static final Duration TICK = Duration.ofMillis(200);

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Mixin StateOptions state;

  @Mixin BackendOption backend;

  @Option(
      names = "--to",
      paramLabel = "ID",
      description =
          "Return to the recorded state ID (see --list) in one transaction, recorded as a new state,"
              + " so a plain rollback undoes it. IP forwarding is switched on where its forwards need"
              + " it, never off. An unknown ID changes nothing.")
  Long to;

  @Option(
      names = "--confirm",
      paramLabel = "SECONDS",
      description =
          "Return to the state before this rollback unless confirmed within SECONDS: type 'yes', or"
              + " run 'portfwd confirm' in another shell. The return happens even when the terminal"
              + " goes away. Without --to, goes to the state before the live one as --to would:"
              + " recorded as a new state, IP forwarding left on.")
  Integer confirm;

  @Option(
      names = "--list",
      description = "List the recorded states, newest (the live one) first, and change nothing.")
  boolean list;

  /**
   * With {@code auto}, the backend that applied what is to be undone: restoring elsewhere is wrong.
   */
  static BackendChoice recordedBackend(StateStore store) {
    try {
      Optional<String> name =
          store
              .pending()
              .map(PendingConfirmation::backend)
              .or(() -> current(store).map(e -> e.snapshot().backend()));
      return name.map(BackendChoice::valueOf).orElse(BackendChoice.auto);
    } catch (IOException | IllegalArgumentException e) {
      return BackendChoice.auto; // the restore itself reports what is wrong
    }
  }

  private static Optional<StateStore.Entry> current(StateStore store) {
    try {
      return store.current();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Invocation invocation = root.invocation();
    StateStore store = invocation.store(state.stateDir);
    if (list) {
      if (to != null || confirm != null) {
        throw PortfwdException.invalidInput(
            "--list and " + (to != null ? "--to" : "--confirm") + " do not go together");
      }
      list(store, out);
      return;
    }
    if (to != null && to < 1) {
      throw PortfwdException.invalidInput(
          "--to takes the number of a recorded state ('portfwd rollback --list'), not " + to);
    }
    if (confirm != null && (confirm < 1 || confirm > 86_400)) {
      throw PortfwdException.invalidInput("--confirm takes 1 to 86400 seconds, not " + confirm);
    }
    Optional<Duration> confirmWithin = Optional.ofNullable(confirm).map(Duration::ofSeconds);
    KernelSession session =
        invocation.session(
            backend.choice == BackendChoice.auto ? recordedBackend(store) : backend.choice);
    Engine engine = invocation.engine(session, store, err);
    OptionalLong target =
        to != null
            ? OptionalLong.of(to)
            : confirm != null
                ? OptionalLong.of(KernelSession.call(engine::previousState))
                : OptionalLong.empty();
    Optional<Path> watched = invocation.watchedTable();
    DashboardService.RolledBack result;
    if (watched.isPresent() && invocation.isServiceEngine(engine)) {
      WatchedTableFile table = new WatchedTableFile(watched.get());
      result =
          KernelSession.call(
              () -> {
                try {
                  return DashboardService.rollback(
                      engine, store, table, target, /* managesSysctls= */ true, confirmWithin);
                } catch (IOException e) {
                  throw new EngineException(
                      "cannot update "
                          + store.dir()
                          + " or "
                          + table.path()
                          + ": "
                          + e.getMessage(),
                      e);
                }
              });
    } else if (target.isPresent()) {
      result =
          DashboardService.RolledBack.of(
              KernelSession.call(() -> engine.rollbackTo(target.getAsLong(), true, confirmWithin)),
              false);
    } else {
      result = DashboardService.RolledBack.of(KernelSession.call(engine::rollback), false);
    }
    out.println(result.message());
    result.plan().changes().stream()
        .limit(50)
        .forEach(change -> out.println("  " + TerminalText.escape(change.describe())));
    result.notes().forEach(out::println);
    out.flush();
    if (confirm != null) {
      awaitConfirmation(result, engine, store, invocation, out);
    }
  }

  /** As {@code apply --confirm}: exit 1 when the rollback was undone, since it did not stay. */
  private static void awaitConfirmation(
      DashboardService.RolledBack result,
      Engine engine,
      StateStore store,
      Invocation invocation,
      PrintWriter out) {
    if (result.pending().isEmpty()) {
      out.println("nothing changed, so there is nothing to confirm");
      out.flush();
      return;
    }
    if (!invocation.inService()) {
      // The terminal going away must not end the wait early: the timer and 'confirm' still work.
      Signals.ignoreHangup();
    }
    PendingConfirmation pending = result.pending().get();
    ConfirmationPrompt.Result answer =
        KernelSession.call(() -> engine.awaitConfirmation(pending, TICK, invocation.stdin(), out));
    try {
      DashboardService.settleWaitingText(
          store, pending, answer.outcome() == ConfirmationPrompt.Outcome.CONFIRMED);
    } catch (IOException e) {
      throw PortfwdException.failure(
          "cannot update the watched table file: " + e.getMessage() + "; " + answer.message(), e);
    }
    if (answer.outcome() == ConfirmationPrompt.Outcome.ROLLED_BACK) {
      throw PortfwdException.failure(answer.message());
    }
    out.println(answer.message());
    out.flush();
  }

  private static void list(StateStore store, PrintWriter out) {
    List<StateStore.Entry> history;
    try {
      history = store.latest(StateStore.KEEP);
    } catch (IOException e) {
      throw PortfwdException.failure("cannot read " + store.dir() + ": " + e.getMessage(), e);
    }
    if (history.isEmpty()) {
      out.println("no state is recorded in " + TerminalText.escape(store.dir().toString()));
    }
    boolean first = true;
    for (StateStore.Entry entry : history) {
      out.println(
          entry.generation()
              + "  "
              + TIME.format(entry.snapshot().appliedAt())
              + "  "
              + TerminalText.escape(entry.snapshot().describe())
              + (first ? "  (current)" : ""));
      first = false;
    }
    out.flush();
  }
}
