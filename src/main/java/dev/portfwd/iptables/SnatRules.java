package dev.portfwd.iptables;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.SnatBlock;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code SNAT} rules of {@code PORTFWD-POSTROUTING} for forwards with {@code snat=}: one per
 * backend block and source address, before the MASQUERADE rules, spelled as {@code iptables-save}
 * prints them; and reading them back.
 */
final class SnatRules {

  private SnatRules() {}

  /** The SNAT rules (words after {@code -A CHAIN}) of {@code forwards} of one family. */
  static List<List<String>> render(List<CompiledForward> forwards) {
    List<List<String>> rules = new ArrayList<>();
    for (SnatBlock b : SnatBlock.merge(forwards)) {
      String proto = b.protocol().keyword();
      rules.add(
          List.of(
              "-d",
              RuleRenderer.host(b.backend()),
              "-p",
              proto,
              "-m",
              proto,
              "--dport",
              RuleRenderer.ports(b.ports()),
              "-m",
              "conntrack",
              "--ctstate",
              "DNAT",
              "-j",
              "SNAT",
              "--to-source",
              Addresses.format(b.source())));
    }
    return rules;
  }

  /** The SNAT blocks among {@code nat}'s postrouting rules; rules it cannot read are skipped. */
  static List<SnatBlock> decode(IpFamily family, SavedTable nat) {
    List<SnatBlock> blocks = new ArrayList<>();
    for (SavedTable.Rule rule : nat.rules(Chains.POSTROUTING)) {
      Map<String, String> o = RuleDecoder.options(rule.words());
      try {
        if ("SNAT".equals(o.get("-j"))) {
          blocks.add(
              new SnatBlock(
                  family,
                  RuleDecoder.host(o.get("-d")),
                  Protocol.fromKeyword(o.get("-p")).orElseThrow(),
                  RuleDecoder.ports(o.get("--dport")),
                  Addresses.parse(o.get("--to-source")).orElseThrow()));
        }
      } catch (RuntimeException unreadable) {
        // Not portfwd's; the plan rewrites the chain.
      }
    }
    return blocks;
  }
}
