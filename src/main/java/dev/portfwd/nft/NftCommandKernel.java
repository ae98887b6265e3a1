package dev.portfwd.nft;

import dev.portfwd.backend.DriftProbe;
import dev.portfwd.host.CommandException;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ScriptFile;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real kernel, through the {@code nft} program run by a {@link CommandRunner}. */
public final class NftCommandKernel implements NftKernel {

  private static final Pattern DIGEST =
      Pattern.compile("comment \"(" + ElementDigest.PREFIX + "[0-9a-f]{16})\"");

  private final CommandRunner runner;

  public NftCommandKernel(CommandRunner runner) {
    this.runner = runner;
  }

  @Override
  public DriftProbe chainsProbe() {
    return new NftChainsProbe(runner);
  }

  @Override
  public void run(String script) throws NftCommandException {
    // One 'nft -f' is one netlink batch: the kernel commits all of it or none. A file, never
    // standard input: see ScriptFile.
    ScriptFile file;
    try {
      file = ScriptFile.write("nft", script);
    } catch (IOException e) {
      throw new NftCommandException(
          NftCommandException.Kind.REJECTED,
          "cannot write nft's script, nothing was changed: " + e.getMessage());
    }
    CommandResult result;
    try (file) {
      result =
          runner.run(
              List.of("nft", "-f", file.path().toString()), "", CommandRunner.timeoutFor(script));
    } catch (CommandException e) {
      if (e.kind() != CommandException.Kind.TIMED_OUT) {
        throw failure(e);
      }
      throw new NftCommandException(
          NftCommandException.Kind.REJECTED,
          e.getMessage()
              + "; nft changes the kernel entirely or not at all: 'portfwd plan' shows which");
    } catch (IOException e) {
      throw failure(e);
    }
    if (!result.succeeded()) {
      throw new NftCommandException(
          NftCommandException.classify(result.stderr()),
          "nft rejected the change, nothing was changed: " + firstError(result.stderr()));
    }
  }

  @Override
  public Optional<String> listTable(boolean counters) throws NftCommandException {
    CommandResult result =
        exec(
            counters
                ? List.of("nft", "-j", "list", "table", "inet", "portfwd")
                : List.of("nft", "-s", "-j", "list", "table", "inet", "portfwd"),
            "");
    if (result.succeeded()) {
      return Optional.of(result.stdout());
    }
    NftCommandException.Kind kind = NftCommandException.classify(result.stderr());
    if (kind == NftCommandException.Kind.NOT_FOUND) {
      return Optional.empty();
    }
    throw new NftCommandException(
        kind, "cannot list portfwd's nftables table: " + firstError(result.stderr()));
  }

  @Override
  public Optional<String> readDigest() throws NftCommandException {
    // Plain text: one short line to match, and no JSON parser to load for it.
    CommandResult result =
        exec(List.of("nft", "list", "set", "inet", "portfwd", Skeleton.MARKER), "");
    if (result.succeeded()) {
      Matcher digest = DIGEST.matcher(result.stdout());
      return digest.find() ? Optional.of(digest.group(1)) : Optional.empty();
    }
    NftCommandException.Kind kind = NftCommandException.classify(result.stderr());
    if (kind == NftCommandException.Kind.NOT_FOUND) {
      return Optional.empty();
    }
    throw new NftCommandException(
        kind, "cannot read portfwd's nftables table: " + firstError(result.stderr()));
  }

  @Override
  public boolean tableExists() throws NftCommandException {
    // A check run ('-c') of deleting the table: the kernel answers whether it exists, and nft
    // needs no cache of the table's sets for it, unlike any 'list' command (nft 1.0.6).
    CommandResult result =
        exec(List.of("nft", "-c", "-f", "-"), "delete table " + NftTransaction.TABLE + "\n");
    if (result.succeeded()) {
      return true;
    }
    NftCommandException.Kind kind = NftCommandException.classify(result.stderr());
    if (kind == NftCommandException.Kind.NOT_FOUND) {
      return false;
    }
    throw new NftCommandException(
        kind, "cannot read portfwd's nftables table: " + firstError(result.stderr()));
  }

  @Override
  public void probe() throws NftCommandException {
    if (!runner.isInstalled("nft")) {
      throw new NftCommandException(
          NftCommandException.Kind.NOT_INSTALLED,
          "nft is not installed; install nftables (apt-get install nftables) or use --backend iptables");
    }
    // Listing a table that does not exist is the cheapest question that needs the kernel: 'nft
    // list tables' fetches every element of every set first.
    CommandResult result = exec(List.of("nft", "list", "table", "inet", "portfwd_probe"), "");
    if (!result.succeeded()
        && NftCommandException.classify(result.stderr()) != NftCommandException.Kind.NOT_FOUND) {
      NftCommandException.Kind kind = NftCommandException.classify(result.stderr());
      throw new NftCommandException(
          kind,
          kind == NftCommandException.Kind.PERMISSION_DENIED
              ? "nft may not read the ruleset; run portfwd as root (sudo)"
              : "nft does not work here: " + firstError(result.stderr()));
    }
  }

  private CommandResult exec(List<String> argv, String stdin) throws NftCommandException {
    try {
      return runner.run(argv, stdin);
    } catch (IOException e) {
      throw failure(e);
    }
  }

  /** Why nft could not run, as an exception of the kind callers branch on. */
  private static NftCommandException failure(IOException e) {
    if (e instanceof CommandException command) {
      // A timed-out nft is not a refusal, but callers treat both alike: pass the message on.
      return command.kind() == CommandException.Kind.NOT_INSTALLED
          ? new NftCommandException(
              NftCommandException.Kind.NOT_INSTALLED,
              e.getMessage() + ", or use --backend iptables")
          : new NftCommandException(NftCommandException.Kind.REJECTED, e.getMessage());
    }
    return new NftCommandException(
        NftCommandException.Kind.NOT_INSTALLED, "cannot run nft: " + e.getMessage());
  }

  /** nft's first error line with its position, without the echoed script. */
  private static String firstError(String stderr) {
    return stderr
        .lines()
        .filter(l -> l.contains("Error"))
        .findFirst()
        .orElse(stderr.strip().lines().findFirst().orElse("(no message)"))
        .strip();
  }
}
