package dev.portfwd.cli;

import dev.portfwd.engine.Applied;
import dev.portfwd.engine.ApplyRequest;
import dev.portfwd.engine.Engine;
import dev.portfwd.host.Signals;
import dev.portfwd.state.ConfirmationPrompt;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd apply}: makes the kernel forward exactly what the table says, in one atomic
 * transaction, then switches IP forwarding on and clears stale UDP conntrack entries (the engine's
 * {@link Engine#apply}); with {@code --confirm}, waits for the confirmation.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Install the table's forwards in the kernel as one atomic transaction (all or nothing).",
      "Applying the same table again changes nothing. Needs root."
    })
final class ApplyCommand implements Runnable {

  /** Applying 10,000 forwards should not print 20,000 lines; 'plan' lists them all. */
  private static final int SHOWN_CHANGES = 50;

  private static final Duration TICK = Duration.ofMillis(200);

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Mixin PlanInputs inputs;

  @Option(
      names = "--no-sysctl",
      description = "Leave net.ipv4.ip_forward and IPv6 forwarding as they are, even when off.")
  boolean noSysctl;

  @Option(
      names = "--confirm",
      paramLabel = "SECONDS",
      description =
          "Roll back to the previous state unless confirmed within SECONDS: type 'yes', or run"
              + " 'portfwd confirm' in another shell. The rollback happens even when the terminal goes away.")
  Integer confirm;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Invocation invocation = root.invocation();
    refuseAnotherTableWhileWatched(invocation);
    PreparedSession prepared = inputs.prepare(invocation, err);
    if (confirm != null && (confirm < 1 || confirm > 86_400)) {
      throw PortfwdException.invalidInput("--confirm takes 1 to 86400 seconds, not " + confirm);
    }
    Engine engine =
        invocation.engine(prepared.session(), invocation.store(inputs.state.stateDir), err);
    ApplyRequest request =
        new ApplyRequest(
            prepared.desired(),
            StateOptions.source(invocation.table(inputs.table)),
            !inputs.reread,
            !noSysctl,
            Optional.ofNullable(confirm).map(Duration::ofSeconds));
    Applied applied = KernelSession.call(() -> engine.apply(request));
    PlanCommand.print(applied.plan(), out, SHOWN_CHANGES);
    applied.notes().forEach(out::println);
    out.flush();
    applied.warnings().forEach(warning -> err.println("portfwd: warning: " + warning));
    err.flush();
    if (confirm != null && applied.pending().isEmpty()) {
      out.println("nothing changed, so there is nothing to confirm");
      out.flush();
    }
    if (applied.pending().isEmpty()) {
      return;
    }
    if (!invocation.inService()) {
      // The terminal going away must not end the wait early: the timer and 'confirm' still work.
      Signals.ignoreHangup();
    }
    ConfirmationPrompt.Result result =
        KernelSession.call(
            () -> engine.awaitConfirmation(applied.pending().get(), TICK, invocation.stdin(), out));
    if (result.outcome() == ConfirmationPrompt.Outcome.ROLLED_BACK) {
      throw PortfwdException.failure(result.message());
    }
    out.println(result.message());
    out.flush();
  }

  /**
   * The service keeps its own table applied and would put it back at its next check: applying
   * another table through it would start a fight, so it is refused with the ways out.
   */
  private void refuseAnotherTableWhileWatched(Invocation invocation) {
    Optional<Path> watched = invocation.watchedTable();
    if (watched.isPresent() && !Path.of(invocation.table(inputs.table)).equals(watched.get())) {
      throw PortfwdException.failure(
          "the portfwd service keeps "
              + watched.get()
              + " applied and would put it back: edit that file (the service applies it at once),"
              + " or stop the service ('systemctl stop portfwd') before applying another table;"
              + " nothing was changed");
    }
  }
}
