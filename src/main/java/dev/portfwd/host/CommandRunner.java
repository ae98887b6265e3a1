package dev.portfwd.host;

import java.io.IOException;
import java.util.List;

/**
 * The seam between portfwd and the programs it runs ({@code nft}, {@code iptables-restore}, {@code
 * sysctl}, {@code conntrack}, {@code ip}). Tests substitute a fake that pins the exact argv and
 * standard input, or a runner that enters a network namespace first.
 */
public interface CommandRunner {

  /**
   * Runs {@code argv} with {@code stdin} (may be empty) on its standard input and waits for it.
   *
   * @throws CommandException when the program is not installed in the system folders
   * @throws IOException when the program cannot be started at all
   */
  CommandResult run(List<String> argv, String stdin) throws IOException;

  /** Runs {@code argv} with nothing on standard input. */
  default CommandResult run(List<String> argv) throws IOException {
    return run(argv, "");
  }

  /**
   * True when {@code program} is installed where this runner takes programs from (for the real
   * runner, the system folders of {@link SystemPrograms}; never {@code PATH}).
   */
  boolean isInstalled(String program);
}
