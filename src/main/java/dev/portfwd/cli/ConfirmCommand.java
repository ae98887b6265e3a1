package dev.portfwd.cli;

import dev.portfwd.engine.EngineException;
import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd confirm}: keeps the rules of an {@code apply --confirm} that waits, from any
 * shell.
 */
@Command(
    name = "confirm",
    mixinStandardHelpOptions = true,
    description = {
      "Keep the rules of an 'apply --confirm' (or 'rollback --confirm') that waits, from any shell.",
      "Without it, the change is undone when the time given to --confirm runs out."
    })
final class ConfirmCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Mixin StateOptions state;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    Invocation invocation = root.invocation();
    StateStore store = invocation.store(state.stateDir);
    PendingConfirmation confirmed;
    // An apply from the dashboard also goes into the table file the service watches, whichever
    // way it is confirmed.
    try {
      confirmed = DashboardService.confirm(store, Clock.systemUTC()).confirmation();
    } catch (EngineException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    } catch (IOException e) {
      throw PortfwdException.failure("cannot update " + store.dir() + ": " + e.getMessage(), e);
    }
    out.println("confirmed: keeping " + confirmed.applied());
    out.flush();
  }
}
