package dev.portfwd.nft;

import dev.portfwd.backend.DriftProbe;
import java.util.Optional;

/**
 * The kernel boundary of the nftables backend: run one transaction, list portfwd's table. {@link
 * NftCommandKernel} talks to the real kernel through {@code nft}; tests use an in-memory fake with
 * the same transactional behaviour.
 */
public interface NftKernel {

  /**
   * Applies {@code script} as one transaction: entirely or not at all.
   *
   * @throws NftCommandException when nft rejects it (nothing changed) or cannot be run
   */
  void run(String script) throws NftCommandException;

  /**
   * {@code nft -j list table inet portfwd}, or empty when the table does not exist. Without {@code
   * counters} the listing is stateless ({@code -s}): nft 1.0.6 prints 10,000 elements about twice
   * as fast without them, and plans do not need them.
   */
  Optional<String> listTable(boolean counters) throws NftCommandException;

  /**
   * The {@link ElementDigest} stored in portfwd's marker set, read without listing the other sets
   * (milliseconds, whatever the number of forwards); empty when the table, the set or the digest is
   * missing.
   */
  Optional<String> readDigest() throws NftCommandException;

  /**
   * True when portfwd's table exists, asked without listing it: a listing fetches every element
   * first (two seconds at 100,000 elements), this question costs milliseconds whatever the size.
   */
  boolean tableExists() throws NftCommandException;

  /** Fails with a one-line message when nft is missing or cannot talk to the kernel. */
  void probe() throws NftCommandException;

  /** The cheap look at portfwd's chains between full drift checks; none for kernels without one. */
  default DriftProbe chainsProbe() {
    return DriftProbe.NONE;
  }
}
