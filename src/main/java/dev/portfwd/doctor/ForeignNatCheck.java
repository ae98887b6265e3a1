package dev.portfwd.doctor;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Another tool's DNAT (or redirect) in a nat prerouting chain that takes a forward's connections
 * before portfwd's rule sees them: the first NAT rule that matches a new connection wins, and
 * chains run in priority order. portfwd's prerouting chain has priority {@code dstnat} (-100); a
 * chain at the same priority runs in an order the kernel does not promise.
 */
final class ForeignNatCheck implements Check {

  static final String ID = "foreign-nat";
  static final int PORTFWD_PRIORITY = -100;

  /** The prefix of the chains of portfwd's iptables backend ({@code PORTFWD-PREROUTING}, ...). */
  static final String IPTABLES_PREFIX = "PORTFWD-";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    ChainWalker walker = new ChainWalker(facts.firewall());
    List<Finding> findings = new ArrayList<>();
    for (Forward forward : table.forwards()) {
      List<String> seen = new ArrayList<>();
      for (FirewallChain chain : facts.firewall().baseChains("prerouting", "nat")) {
        if (chain.priority() > PORTFWD_PRIORITY
            || !ForwardDropCheck.appliesTo(chain, forward.family())) {
          continue;
        }
        for (Protocol protocol : forward.protocolList()) {
          for (int port : ports(forward)) {
            Packet packet =
                new Packet(
                    forward.family(),
                    protocol,
                    forward.externalAddress(),
                    port,
                    /* dnat= */ false,
                    Optional.empty());
            for (ChainWalker.Catch c : walker.dnatCatches(chain, packet)) {
              if (seen.contains(c.rule().text())
                  || sameTarget(c.rule(), forward, port)
                  || isPortfwds(c.chain())) {
                continue;
              }
              // A rule naming the port is meant for it, whatever else it tests (Docker's "! -i
              // docker0"); a catch-all DNAT behind a test doctor cannot decide is only a warning.
              boolean sure = c.matches() == Tri.YES || c.rule().testsPort();
              seen.add(c.rule().text());
              findings.add(finding(forward, protocol, port, chain, c, sure));
            }
          }
        }
      }
    }
    return findings;
  }

  /** The chains portfwd's iptables backend creates: its own DNAT is no foreign rule. */
  static boolean isPortfwds(FirewallChain chain) {
    return !chain.isNft() && chain.name().startsWith(IPTABLES_PREFIX);
  }

  /** The first and last external port: enough to catch rules for the range's ends. */
  private static List<Integer> ports(Forward forward) {
    return forward.externalPorts().isSinglePort()
        ? List.of(forward.externalPorts().first())
        : List.of(forward.externalPorts().first(), forward.externalPorts().last());
  }

  /** A foreign rule sending the port to the same backend and port does no harm. */
  private static boolean sameTarget(FirewallRule rule, Forward forward, int port) {
    int backendPort = port + forward.portOffset();
    Optional<String> target = rule.verdict().target();
    return target.isPresent()
        && (target.get().equals(Addresses.withPort(forward.backend(), backendPort))
            || (forward.portOffset() == 0
                && target.get().equals(Addresses.format(forward.backend()))));
  }

  private static Finding finding(
      Forward forward,
      Protocol protocol,
      int port,
      FirewallChain chain,
      ChainWalker.Catch c,
      boolean sure) {
    String target = c.rule().verdict().target().map(t -> " to " + t).orElse("");
    String order =
        chain.priority() < PORTFWD_PRIORITY
            ? "runs before portfwd's (priority " + chain.priority() + " < dstnat -100)"
            : "runs at portfwd's priority (dstnat -100), in an order the kernel does not promise";
    return Finding.about(
        forward,
        sure ? FindingSeverity.ERROR : FindingSeverity.WARNING,
        ID,
        c.rule().text()
            + " "
            + (sure ? "catches" : "may catch")
            + " "
            + port
            + "/"
            + protocol.keyword()
            + " and sends it"
            + (target.isEmpty() ? " elsewhere" : target)
            + "; "
            + (c.chain().equals(chain) ? "" : "its chain " + c.chain().name() + " is reached from ")
            + chain.describe()
            + ", which "
            + order,
        "the first NAT rule that matches a new connection decides where it goes: portfwd's DNAT to "
            + forward.backendText()
            + " never sees these connections",
        c.rule().deleteCommand(),
        "if that tool still needs the port, give this forward another external port on line "
            + forward.line());
  }
}
