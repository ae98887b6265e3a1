package dev.portfwd.iptables;

import dev.portfwd.backend.BackendException;
import dev.portfwd.host.CommandException;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.model.IpFamily;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@link IptablesKernel}: runs the flavour's save and restore programs through a runner.
 */
public final class IptablesCommandKernel implements IptablesKernel {

  private final CommandRunner runner;
  private final IptablesFlavour flavour;

  public IptablesCommandKernel(CommandRunner runner, IptablesFlavour flavour) {
    this.runner = runner;
    this.flavour = flavour;
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
    List<String> argv = new ArrayList<>(List.of(flavour.restore(family), "--noflush"));
    if (test) {
      argv.add("--test");
    }
    CommandResult result = run(argv, input);
    if (!result.succeeded()) {
      throw new BackendException(
          flavour.restore(family)
              + " rejected portfwd's rules, nothing was changed: "
              + result.stderr().strip().lines().findFirst().orElse("exit " + result.exitCode()));
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

  private CommandResult run(List<String> argv, String stdin) throws BackendException {
    try {
      return runner.run(argv, stdin);
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
