package dev.portfwd.cli;

import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code portfwd confirm}: keeps the rules of an {@code apply --confirm} that waits, from any shell. */
@Command(
    name = "confirm",
    mixinStandardHelpOptions = true,
    description = {
      "Keep the rules of an 'apply --confirm' that waits, from any shell.",
      "Without it, they are rolled back when the time given to --confirm runs out."
    })
// "try": a StateStore.Lock is held for its block and never referenced in it, by design.
@SuppressWarnings("try")
final class ConfirmCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin StateOptions state;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    StateStore store = state.store();
    try (StateStore.Lock lock = store.lock()) {
      Optional<PendingConfirmation> pending = store.pending();
      if (pending.isEmpty()) {
        throw PortfwdException.failure("nothing waits for confirmation in " + store.dir()
            + " (it may have been rolled back already; 'portfwd status' shows what is in force)");
      }
      if (!Instant.now().isBefore(pending.get().deadline())) {
        throw PortfwdException.failure("too late: the time to confirm ended at " + pending.get().deadline()
            + " and the change is being rolled back; apply again to retry");
      }
      store.clearPending();
      out.println("confirmed: keeping " + pending.get().applied());
      out.flush();
    } catch (IOException e) {
      throw PortfwdException.failure("cannot read or update " + store.dir() + ": " + e.getMessage(), e);
    }
  }
}
