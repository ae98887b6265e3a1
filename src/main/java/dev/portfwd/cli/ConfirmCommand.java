package dev.portfwd.cli;

import dev.portfwd.engine.Engine;
import dev.portfwd.state.PendingConfirmation;
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
      "Keep the rules of an 'apply --confirm' that waits, from any shell.",
      "Without it, they are rolled back when the time given to --confirm runs out."
    })
final class ConfirmCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Mixin StateOptions state;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PendingConfirmation confirmed =
        KernelSession.call(
            () -> Engine.confirm(root.invocation().store(state.stateDir), Clock.systemUTC()));
    out.println("confirmed: keeping " + confirmed.applied());
    out.flush();
  }
}
