package dev.portfwd.iptables;

import dev.portfwd.backend.BackendException;
import dev.portfwd.model.IpFamily;

/**
 * The kernel boundary of the iptables backend: dump one table, feed one restore input. {@link
 * IptablesCommandKernel} runs {@code iptables-save}/{@code iptables-restore} (or the ip6tables
 * ones) through a {@code CommandRunner}; tests use an in-memory fake with the same all-or-nothing
 * behaviour per restore input.
 */
public interface IptablesKernel {

  /** The flavour whose programs this kernel runs. */
  IptablesFlavour flavour();

  /**
   * {@code iptables-save -c -t TABLE} for {@code family}: every chain and rule of that table with
   * {@code [packets:bytes]} counters.
   *
   * @throws BackendException when the program fails or cannot be run
   */
  String save(IpFamily family, String table) throws BackendException;

  /**
   * {@code iptables-restore --noflush} with {@code input} (one or more {@code *table … COMMIT}
   * blocks). Each table changes as a whole or not at all; chains the input does not name stay. The
   * real kernel waits a bounded time for the xtables lock first.
   *
   * @param test only parse and check the input ({@code --test}); change nothing
   * @throws BackendException when the program rejects the input or cannot run (nothing changed), or
   *     did not finish in time (the table may or may not have changed); the message names the
   *     program and says why
   */
  void restore(IpFamily family, String input, boolean test) throws BackendException;

  /**
   * Fails with a one-line message when the programs of {@code family} are missing or do not work.
   */
  void probe(IpFamily family) throws BackendException;
}
