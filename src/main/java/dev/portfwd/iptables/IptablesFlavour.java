package dev.portfwd.iptables;

import dev.portfwd.model.IpFamily;

/**
 * Which iptables programs portfwd runs. Both families write the same rule language; they differ in
 * where the kernel keeps the rules: {@code iptables} (here the nf_tables flavour) in nftables
 * tables, {@code iptables-legacy} in the old x_tables. A host may hold both at once, so portfwd
 * must use the one whose rules the host's other tools (Docker, ufw) use.
 */
public enum IptablesFlavour {
  /**
   * {@code iptables}/{@code ip6tables}: whatever the distribution points them at (nf_tables on
   * Debian).
   */
  NFT(""),
  /** {@code iptables-legacy}/{@code ip6tables-legacy}. */
  LEGACY("-legacy");

  private final String suffix;

  IptablesFlavour(String suffix) {
    this.suffix = suffix;
  }

  /** {@code iptables}, {@code ip6tables-legacy}, ... */
  public String program(IpFamily family) {
    return (family == IpFamily.IPV4 ? "iptables" : "ip6tables") + suffix;
  }

  /** {@code iptables-restore}, {@code ip6tables-legacy-restore}, ... */
  public String restore(IpFamily family) {
    return program(family) + "-restore";
  }

  /** {@code iptables-save}, {@code ip6tables-legacy-save}, ... */
  public String save(IpFamily family) {
    return program(family) + "-save";
  }
}
