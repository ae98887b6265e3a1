package dev.portfwd.iptables;

import dev.portfwd.backend.BackendException;
import dev.portfwd.host.CommandException;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ScriptFile;
import dev.portfwd.model.IpFamily;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@link IptablesKernel}: runs the flavour's save and restore programs through a runner.
 *
 * <p>Restores wait for the xtables lock ({@code -w}), bounded by {@link #LOCK_WAIT}: the legacy
 * tables are changed by reading a whole table and writing it back, so a restore that ran while
 * another program (Docker, a firewall script) changed the same table would fail or undo that
 * program's change. The nf_tables flavour accepts {@code -w} and needs no lock.
 */
public final class IptablesCommandKernel implements IptablesKernel {

  /** How long a restore waits for another program to release the xtables lock. */
  public static final Duration LOCK_WAIT = Duration.ofSeconds(10);

  private final CommandRunner runner;
  private final IptablesFlavour flavour;
  private final Duration lockWait;

  public IptablesCommandKernel(CommandRunner runner, IptablesFlavour flavour) {
    this(runner, flavour, LOCK_WAIT);
  }

  /**
   * @param lockWait how long each restore waits for the xtables lock, in whole seconds (at least
   *     one)
   */
  IptablesCommandKernel(CommandRunner runner, IptablesFlavour flavour, Duration lockWait) {
    this.runner = runner;
    this.flavour = flavour;
    this.lockWait = lockWait;
  }

  @Override
  public IptablesFlavour flavour() {
    return flavour;
  }

  @Override
  public String save(IpFamily family, String table) throws BackendException {
    CommandResult result = run(List.of(flavour.save(family), "-c", "-t", table), "");
    if (!result.succeeded()) {
      throw new BackendException(
          "cannot read the " + table + " table: " + result.describeFailure());
    }
    return result.stdout();
  }

  @Override
  public void restore(IpFamily family, String input, boolean test) throws BackendException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                flavour.restore(family),
                "--noflush",
                "-w",
                Long.toString(Math.max(1, lockWait.toSeconds()))));
    if (test) {
      argv.add("--test");
    }
    // A file, never standard input: see ScriptFile.
    CommandResult result;
    try (ScriptFile file = ScriptFile.write("iptables", input)) {
      argv.add(file.path().toString());
      result = run(argv, "", CommandRunner.timeoutFor(input));
    } catch (IOException e) {
      throw new BackendException(
          "cannot write the input of " + flavour.restore(family) + ": " + e.getMessage(), e);
    }
    if (!result.succeeded()) {
      throw new BackendException(flavour.restore(family) + ": " + firstError(result));
    }
  }

  @Override
  public void probe(IpFamily family) throws BackendException {
    for (String program : List.of(flavour.save(family), flavour.restore(family))) {
      if (!runner.isInstalled(program)) {
        throw new BackendException(
            program
                + " is not installed; install the iptables package"
                + " or use --backend nftables");
      }
    }
    CommandResult result = run(List.of(flavour.save(family), "-t", "nat"), "");
    if (!result.succeeded()) {
      throw new BackendException(
          flavour.save(family)
              + " does not work here ("
              + result.stderr().strip().lines().findFirst().orElse("exit " + result.exitCode())
              + "); the kernel may lack "
              + (flavour == IptablesFlavour.LEGACY ? "the legacy x_tables" : "nf_tables")
              + " NAT support");
    }
  }

  /**
   * The line of stderr that says why, without the legacy flavour's "Can't lock" preamble: {@code
   * Another app is currently holding the xtables lock. Stopped waiting after 10s.}
   */
  private static String firstError(CommandResult result) {
    List<String> lines = result.stderr().strip().lines().filter(l -> !l.isBlank()).toList();
    return lines.stream()
        .filter(l -> !l.startsWith("Can't lock "))
        .findFirst()
        .or(() -> lines.stream().findFirst())
        .orElse("exit " + result.exitCode());
  }

  private CommandResult run(List<String> argv, String stdin) throws BackendException {
    return run(argv, stdin, CommandRunner.timeoutFor(stdin));
  }

  private CommandResult run(List<String> argv, String stdin, Duration timeout)
      throws BackendException {
    try {
      return runner.run(argv, stdin, timeout);
    } catch (CommandException e) {
      throw new BackendException(
          e.kind() == CommandException.Kind.NOT_INSTALLED
              ? e.getMessage() + ", or use --backend nftables"
              : e.getMessage(),
          e);
    } catch (IOException e) {
      throw new BackendException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
    }
  }
}
