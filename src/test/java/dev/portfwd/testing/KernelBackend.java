package dev.portfwd.testing;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The kernel backends an end-to-end test runs against: {@code --backend} words for the CLI and what
 * each one leaves in a namespace, so one test body checks both nftables and iptables (in both of
 * iptables' flavours).
 */
public enum KernelBackend {
  NFTABLES("nftables", "nftables"),
  IPTABLES_NFT("iptables-nft", "iptables"),
  IPTABLES_LEGACY("iptables-legacy", "iptables");

  private final String option;
  private final String label;

  KernelBackend(String option, String label) {
    this.option = option;
    this.label = label;
  }

  /** The value of {@code --backend}. */
  public String option() {
    return option;
  }

  /** The name plans and status print ({@code nftables: 3 to add, …}). */
  public String label() {
    return label;
  }

  /** {@code args} with {@code --backend THIS} after the subcommand. */
  public String[] withBackend(String... args) {
    return Stream.concat(Stream.of(args[0], "--backend", option), Stream.of(args).skip(1))
        .toArray(String[]::new);
  }

  /** The iptables programs' suffix of this backend's flavour ({@code ""} or {@code "-legacy"}). */
  public String iptablesSuffix() {
    return this == IPTABLES_LEGACY ? "-legacy" : "";
  }

  /**
   * What portfwd has in the gateway's kernel for this backend: the nft ruleset's portfwd table, or
   * every line of iptables-save and ip6tables-save that names a {@code PORTFWD-} chain. Empty when
   * nothing is installed.
   */
  public String installed(Topology topology) {
    if (this == NFTABLES) {
      String ruleset = topology.exec("gateway", "nft", "list", "ruleset").stdout();
      return ruleset.contains("portfwd") ? ruleset : "";
    }
    return Stream.of("iptables", "ip6tables")
        .flatMap(p -> topology.exec("gateway", p + iptablesSuffix() + "-save").stdout().lines())
        .filter(l -> l.contains("PORTFWD"))
        .collect(Collectors.joining("\n"));
  }
}
