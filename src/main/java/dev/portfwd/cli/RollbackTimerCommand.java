package dev.portfwd.cli;

import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The detached rollback timer of {@code apply --confirm} (hidden: apply starts it through {@code
 * setsid}, users never do). Undoes the apply at the deadline unless it was confirmed; its output
 * goes to {@code rollback.log} in the state directory.
 */
@Command(
    name = RollbackTimerCommand.NAME,
    hidden = true,
    description = "Internal: the rollback timer that 'apply --confirm' starts in the background.")
final class RollbackTimerCommand implements Runnable {

  static final String NAME = "rollback-timer";

  @Spec CommandSpec spec;

  @Mixin StateOptions state;

  @Option(
      names = "--id",
      required = true,
      description = "The pending confirmation this timer guards.")
  String id;

  @Override
  public void run() {
    PrintWriter log = spec.commandLine().getOut();
    StateStore store = state.store();
    // The backend that applied what may be undone, as the apply named it.
    BackendChoice choice =
        pending(store).map(p -> BackendChoice.valueOf(p.backend())).orElse(BackendChoice.auto);
    KernelSession session = KernelSession.openForTimer(choice, new ProcessCommandRunner());
    KernelSession.call(
        () ->
            session
                .engine(store, spec.commandLine().getErr())
                .runRollbackTimer(id, Duration.ofMillis(200), log));
  }

  private static Optional<PendingConfirmation.Head> pending(StateStore store) {
    try {
      return store.pendingHead();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
