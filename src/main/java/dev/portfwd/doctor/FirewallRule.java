package dev.portfwd.doctor;

import java.util.List;

/**
 * One rule of a chain, from nftables or iptables.
 *
 * @param text how a person recognises it: {@code handle 4} for nft, the {@code -A ...} line for
 *     iptables
 * @param deleteCommand the command that deletes exactly this rule
 */
record FirewallRule(List<Match> matches, Verdict verdict, String text, String deleteCommand) {

  FirewallRule {
    matches = List.copyOf(matches);
  }

  /** Whether every condition holds for {@code packet}. */
  Tri test(Packet packet) {
    Tri result = Tri.YES;
    for (Match match : matches) {
      result = result.and(match.test(packet));
      if (result == Tri.NO) {
        return result;
      }
    }
    return result;
  }

  /** True when the rule tests the protocol and the destination port (a port-specific rule). */
  boolean testsPort() {
    return matches.stream().anyMatch(m -> m instanceof Match.DestPort dp && !dp.negated());
  }
}
