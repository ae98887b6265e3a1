package dev.portfwd.cli;

import dev.portfwd.apply.Backend;
import dev.portfwd.apply.BackendException;
import dev.portfwd.apply.Conntrack;
import dev.portfwd.apply.Host;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.model.ForwardTable;
import java.io.PrintWriter;

/**
 * What the kernel commands ({@code plan}, {@code apply}, {@code status}, {@code remove}) share:
 * the checks before anything is touched (root, then the backend's tool), and the mapping of
 * backend failures to one-line errors with exit code 1.
 */
final class KernelSession {

  final CommandRunner runner;
  final Host host;
  final Backend backend;
  final Conntrack conntrack;

  private KernelSession(CommandRunner runner, Backend backend) {
    this.runner = runner;
    this.host = new Host(runner);
    this.backend = backend;
    this.conntrack = new Conntrack(runner);
  }

  /**
   * Checks root and the backend's tool, in that order, before anything is read or changed.
   *
   * @throws PortfwdException exit 1 with a one-line message saying what to do
   */
  static KernelSession open(BackendChoice choice) {
    return open(choice, new ProcessCommandRunner());
  }

  static KernelSession open(BackendChoice choice, CommandRunner runner) {
    try {
      new Host(runner).requireRoot();
      return new KernelSession(runner, choice.usable(runner));
    } catch (BackendException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    }
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
      throw PortfwdException.invalidInput(TableLoader.count(e.problems().size(), "error")
          + " in " + table.source() + "; nothing was changed");
    }
  }

  /** Runs a backend step, turning its failure into exit 1. */
  static <T> T call(BackendStep<T> step) {
    try {
      return step.run();
    } catch (BackendException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    }
  }

  @FunctionalInterface
  interface BackendStep<T> {
    T run() throws BackendException;
  }
}
