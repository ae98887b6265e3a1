package dev.portfwd.cli;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.EngineException;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.host.Root;
import dev.portfwd.host.ScriptFile;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.state.DetachedTimerLauncher;
import dev.portfwd.state.StateStore;
import dev.portfwd.state.TimerLauncher;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * What the kernel commands share before they hand over to the {@link Engine}: the checks before
 * anything is touched (root, then the backend's tool), and the mapping of failures to one-line
 * errors with exit code 1.
 */
final class KernelSession {

  /** How long a busy host may take to start the rollback timer's JVM before apply gives up. */
  private static final Duration ARM_TIMEOUT = Duration.ofSeconds(20);

  final CommandRunner runner;
  final Backend backend;

  private KernelSession(CommandRunner runner, Backend backend) {
    this.runner = runner;
    this.backend = backend;
  }

  /**
   * Checks root and the backend's tool, in that order, before anything is read or changed.
   *
   * @throws PortfwdException exit 1 with a one-line message saying what to do
   */
  static KernelSession open(BackendChoice choice) {
    KernelSession session = open(choice, new ProcessCommandRunner());
    // Root now, so the files a killed portfwd left in /run are this user's to clean up.
    ScriptFile.removeLeftovers();
    return session;
  }

  static KernelSession open(BackendChoice choice, CommandRunner runner) {
    try {
      Root.require(runner);
      return new KernelSession(runner, choice.usable(runner));
    } catch (BackendException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    }
  }

  /**
   * The session of {@code apply --confirm}'s rollback timer: the backend the apply just used, not
   * probed. Apply waits for the timer to arm before it changes anything, and a probe here would run
   * a whole {@code iptables-save -t nat}: at 100,000 forwards that alone outlasted apply's wait on
   * a loaded machine. The apply proved the backend works a moment ago.
   */
  static KernelSession openForTimer(BackendChoice choice, CommandRunner runner) {
    try {
      Root.require(runner);
      return new KernelSession(
          runner, choice == BackendChoice.auto ? choice.usable(runner) : choice.create(runner));
    } catch (BackendException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    }
  }

  /** A session over a backend already known usable (tests with a fake backend). */
  static KernelSession of(CommandRunner runner, Backend backend) {
    return new KernelSession(runner, backend);
  }

  /** The engine for this session's backend and {@code store}; it can arm rollback timers. */
  Engine engine(StateStore store, PrintWriter err) {
    TimerLauncher launcher =
        new DetachedTimerLauncher(
            forwards ->
                DetachedTimerLauncher.javaCommand(
                    Portfwd.class.getName(), RollbackTimerCommand.NAME, forwards),
            ARM_TIMEOUT);
    return engine(store, launcher, err);
  }

  /** The engine for this session's backend and {@code store}, warning on {@code err}. */
  Engine engine(StateStore store, TimerLauncher launcher, PrintWriter err) {
    return Engine.forHost(
        backend,
        runner,
        store,
        launcher,
        warning -> {
          err.println("portfwd: warning: " + warning);
          err.flush();
        });
  }

  /**
   * The forwards of {@code table} for the kernel backends.
   *
   * @throws PortfwdException exit 2 listing every line the kernel cannot serve; nothing changed
   */
  static DesiredState compile(ForwardTable table, PrintWriter err) {
    try {
      return Compiler.compile(table);
    } catch (CompileException e) {
      e.problems().forEach(err::println);
      err.flush();
      throw PortfwdException.invalidInput(
          TableLoader.count(e.problems().size(), "error")
              + " in "
              + table.source()
              + "; nothing was changed");
    }
  }

  /** Runs an engine step, turning its failure into exit 1. */
  static <T> T call(EngineStep<T> step) {
    try {
      return step.run();
    } catch (EngineException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    }
  }

  @FunctionalInterface
  interface EngineStep<T> {
    T run() throws EngineException;
  }
}
