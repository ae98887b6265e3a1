package dev.portfwd.doctor;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every foreign chain on the host: nftables tables other than portfwd's, and iptables chains (both
 * flavours). Rules of iptables-nft appear once, as iptables chains.
 */
record Firewall(List<FirewallChain> chains) {

  static final Firewall EMPTY = new Firewall(List.of());

  Firewall {
    chains = List.copyOf(chains);
  }

  /** Base chains on {@code hook} of {@code type}, lowest priority (first to run) first. */
  List<FirewallChain> baseChains(String hook, String type) {
    return chains.stream()
        .filter(c -> c.hook().equals(Optional.of(hook)) && c.type().equals(Optional.of(type)))
        .sorted(Comparator.comparingInt(FirewallChain::priority))
        .toList();
  }

  /** The chain {@code name} in the same table (and source) as {@code from}. */
  Optional<FirewallChain> sibling(FirewallChain from, String name) {
    return chains.stream()
        .filter(
            c ->
                c.source().equals(from.source())
                    && c.family().equals(from.family())
                    && c.table().equals(from.table())
                    && c.name().equals(name))
        .findFirst();
  }
}
