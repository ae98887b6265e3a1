package dev.portfwd.cli;

import dev.portfwd.engine.Engine;
import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.Restorer;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd rollback}: undoes an {@code apply --confirm} that waits, or else returns to the
 * state applied before the live one (forwards and the forwarding sysctls portfwd switched on).
 */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = {
      "Return to the portfwd state before the last apply.",
      "Restores its forwards, and switches IP forwarding off again if that apply switched it on. Undoes an"
          + " 'apply --confirm' that still waits. Run it again to go back further (the last 10 states are"
          + " kept). Needs root."
    })
final class RollbackCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Mixin StateOptions state;

  @Mixin BackendOption backend;

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
    KernelSession session =
        invocation.session(
            backend.choice == BackendChoice.auto ? recordedBackend(store) : backend.choice);
    Engine engine = invocation.engine(session, store, err);
    Restorer.Result result = KernelSession.call(engine::rollback);
    out.println(result.message());
    result.plan().changes().stream()
        .limit(50)
        .forEach(change -> out.println("  " + TerminalText.escape(change.describe())));
    out.flush();
  }
}
