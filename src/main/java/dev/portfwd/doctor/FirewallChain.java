package dev.portfwd.doctor;

import java.util.List;
import java.util.Optional;

/**
 * A chain of a foreign firewall table (nftables or iptables): base chains have a hook, a priority
 * and a policy; regular chains are only reached by jumps.
 *
 * @param source {@code nft}, {@code iptables}, {@code ip6tables}, {@code iptables-legacy}, ...: the
 *     program that manages it, used to write fix commands
 * @param family {@code ip}, {@code ip6}, {@code inet}, ... (the nft family; iptables maps to
 *     ip/ip6)
 * @param hook {@code forward}, {@code prerouting}, ...; empty for a regular chain
 * @param type {@code filter}, {@code nat}, ...; empty for a regular chain
 * @param policy {@code accept} or {@code drop}; empty for a regular chain
 */
record FirewallChain(
    String source,
    String family,
    String table,
    String name,
    Optional<String> hook,
    Optional<String> type,
    int priority,
    Optional<String> policy,
    List<FirewallRule> rules) {

  FirewallChain {
    rules = List.copyOf(rules);
  }

  boolean isBase() {
    return hook.isPresent();
  }

  boolean isNft() {
    return source.equals("nft");
  }

  /** {@code table inet foreign chain forward} or {@code iptables filter FORWARD}: for messages. */
  String describe() {
    return isNft()
        ? "chain " + name + " of nft table " + family + " " + table
        : source + " chain " + name + " (table " + table + ")";
  }
}
