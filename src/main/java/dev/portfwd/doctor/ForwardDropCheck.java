package dev.portfwd.doctor;

import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Another tool's base chain on the forward hook that drops forwarded connections: a policy of drop
 * (Docker, ufw and firewalld set one) or a drop rule that matches the backend. An accept in
 * portfwd's own chain does not help: every base chain on the hook must let the packet pass.
 *
 * <p>The packet followed is the first one of a DNATed connection to the backend, leaving through
 * the interface the backend is routed out of. A rule that may accept it (one testing what doctor
 * cannot know, like the input interface) turns an error into a warning.
 */
final class ForwardDropCheck implements Check {

  static final String ID = "forward-drop";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    ChainWalker walker = new ChainWalker(facts.firewall());
    List<FirewallChain> chains = facts.firewall().baseChains("forward", "filter");
    // Findings keyed by chain and culprit, so one chain dropping every forward is one finding.
    Map<String, List<Forward>> victims = new LinkedHashMap<>();
    Map<String, Drop> drops = new LinkedHashMap<>();
    for (Forward forward : table.forwards()) {
      Optional<String> out =
          Optional.ofNullable(facts.routes().get(forward.backend())).flatMap(RouteFact::device);
      for (FirewallChain chain : chains) {
        if (!appliesTo(chain, forward.family())) {
          continue;
        }
        for (Protocol protocol : forward.protocolList()) {
          Packet packet =
              new Packet(
                  forward.family(),
                  protocol,
                  Optional.of(forward.backend()),
                  forward.backendPorts().first(),
                  /* dnat= */ true,
                  out);
          ChainWalker.Outcome outcome = walker.filter(chain, packet);
          if (outcome.kind() != ChainWalker.Outcome.Kind.DROPPED) {
            continue;
          }
          String key =
              chain.describe()
                  + "|"
                  + outcome.rule().map(FirewallRule::text).orElse("policy")
                  + "|"
                  + outcome.uncertain();
          victims.computeIfAbsent(key, k -> new ArrayList<>()).add(forward);
          drops.putIfAbsent(key + "|" + forward.line(), new Drop(chain, outcome, protocol));
          break;
        }
      }
    }
    List<Finding> result = new ArrayList<>();
    for (Map.Entry<String, List<Forward>> entry : victims.entrySet()) {
      List<Forward> forwards = entry.getValue().stream().distinct().toList();
      if (forwards.size() > 1 && forwards.size() == table.forwards().size()) {
        Drop drop = drops.get(entry.getKey() + "|" + forwards.get(0).line());
        result.add(finding(Optional.empty(), "connections of every forward", drop));
      } else {
        for (Forward forward : forwards) {
          Drop drop = drops.get(entry.getKey() + "|" + forward.line());
          result.add(
              finding(
                  Optional.of(forward),
                  "connections to " + Texts.backend(forward, drop.protocol()),
                  drop));
        }
      }
    }
    return result;
  }

  static boolean appliesTo(FirewallChain chain, IpFamily family) {
    return switch (chain.family()) {
      case "inet" -> true;
      case "ip" -> family == IpFamily.IPV4;
      case "ip6" -> family == IpFamily.IPV6;
      default -> false;
    };
  }

  private record Drop(FirewallChain chain, ChainWalker.Outcome outcome, Protocol protocol) {}

  private static Finding finding(Optional<Forward> forward, String subject, Drop drop) {
    FirewallChain chain = drop.chain();
    ChainWalker.Outcome outcome = drop.outcome();
    String by =
        outcome
            .rule()
            .map(r -> "by " + r.text())
            .orElse("by its policy drop (hook forward, priority " + chain.priority() + ")");
    String what = chain.describe() + " drops forwarded " + subject + " " + by;
    String why =
        "an accept in portfwd's own chain only ends that chain: every base chain on the forward hook"
            + " must accept the packet, and this one drops it";
    if (outcome.uncertain()) {
      what = chain.describe() + " may drop forwarded " + subject + " " + by;
      why =
          "only "
              + outcome.maybeAccept().get().text()
              + " could accept them first, and it tests something"
              + " doctor cannot see from here ("
              + why
              + ")";
    }
    return new Finding(
        outcome.uncertain() ? FindingSeverity.WARNING : FindingSeverity.ERROR,
        ID,
        forward,
        what,
        why,
        acceptDnat(chain),
        note(chain));
  }

  /**
   * A rule at the top of {@code chain} (or Docker's DOCKER-USER) that accepts DNATed connections.
   */
  static String acceptDnat(FirewallChain chain) {
    if (chain.isNft()) {
      return "nft insert rule "
          + chain.family()
          + " "
          + chain.table()
          + " "
          + chain.name()
          + " ct status dnat accept";
    }
    return chain.source() + " -I " + chain.name() + " -m conntrack --ctstate DNAT -j ACCEPT";
  }

  private static String note(FirewallChain chain) {
    if (chain.isNft()) {
      return "or add 'ct status dnat accept' to that tool's own configuration so it survives its next reload";
    }
    return "Docker users: put the rule in DOCKER-USER instead ("
        + chain.source()
        + " -I DOCKER-USER -m conntrack --ctstate DNAT -j ACCEPT) so Docker keeps it";
  }
}
