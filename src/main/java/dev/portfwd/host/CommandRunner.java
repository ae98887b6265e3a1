package dev.portfwd.host;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The seam between portfwd and the programs it runs ({@code nft}, {@code iptables-restore}, {@code
 * sysctl}, {@code conntrack}, {@code ip}). Tests substitute a fake that pins the exact argv and
 * standard input, or a runner that enters a network namespace first.
 *
 * <p>Every program has a time limit, so a hung {@code nft} or {@code conntrack} cannot block {@code
 * watch} or a command for ever: {@link #timeoutFor} unless the caller gives one. A program still
 * running at its limit is killed with everything it started, and the call fails with a {@link
 * CommandException} of kind {@code TIMED_OUT} naming the command.
 */
public interface CommandRunner {

  /** The time limit of a program with little or no input. */
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The time added to {@link #DEFAULT_TIMEOUT} for each MiB of standard input. */
  Duration TIMEOUT_PER_MIB = Duration.ofSeconds(10);

  /**
   * Runs {@code argv} with {@code stdin} (may be empty) on its standard input and waits for it, at
   * most {@link #timeoutFor timeoutFor(stdin)}.
   *
   * @throws CommandException when the program is not installed in the system folders, or did not
   *     finish in time (it was killed)
   * @throws IOException when the program cannot be started at all
   */
  CommandResult run(List<String> argv, String stdin) throws IOException;

  /**
   * Runs {@code argv} as {@link #run(List, String)} does but with the time limit {@code timeout}.
   * Runners whose programs cannot hang (test fakes) need not implement it.
   */
  default CommandResult run(List<String> argv, String stdin, Duration timeout) throws IOException {
    return run(argv, stdin);
  }

  /** Runs {@code argv} with nothing on standard input. */
  default CommandResult run(List<String> argv) throws IOException {
    return run(argv, "");
  }

  /**
   * True when {@code program} is installed where this runner takes programs from (for the real
   * runner, the system folders of {@link SystemPrograms}; never {@code PATH}).
   */
  boolean isInstalled(String program);

  /**
   * True when this runner's programs run in this JVM's own network namespace, so that what {@link
   * ProcSys} reads of {@code /proc/sys/net} here is what they see. False (the default, also for
   * test fakes) makes {@link ProcSys} go through the runner instead.
   */
  default boolean actsInThisProcessNetworkNamespace() {
    return false;
  }

  /**
   * The time limit of a program fed {@code stdin}: {@link #DEFAULT_TIMEOUT} plus {@link
   * #TIMEOUT_PER_MIB} for each MiB, so a large kernel transaction ({@code nft -f}, {@code
   * iptables-restore}) gets longer than a listing.
   */
  static Duration timeoutFor(String stdin) {
    double mib = stdin.length() / (1024.0 * 1024.0);
    return DEFAULT_TIMEOUT.plusMillis(Math.round(mib * TIMEOUT_PER_MIB.toMillis()));
  }
}
