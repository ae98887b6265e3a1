package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parses {@code nft -j list ruleset} output captured from nftables 1.0.6. */
class NftRulesetParserTest {

  private static final String RULESET =
      """
      {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
      {"table": {"family": "inet", "name": "portfwd", "handle": 9}},
      {"chain": {"family": "inet", "table": "portfwd", "name": "forward", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}},
      {"table": {"family": "ip", "name": "filter", "handle": 3}},
      {"chain": {"family": "ip", "table": "filter", "name": "FORWARD", "handle": 1, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
      {"table": {"family": "ip", "name": "othernat", "handle": 2}},
      {"chain": {"family": "ip", "table": "othernat", "name": "pre", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
      {"rule": {"family": "ip", "table": "othernat", "chain": "pre", "handle": 3, "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": {"range": [13100, 13200]}}},
        {"counter": {"packets": 0, "bytes": 0}},
        {"dnat": {"addr": "192.0.2.51"}}]}},
      {"rule": {"family": "ip", "table": "othernat", "chain": "pre", "handle": 4, "expr": [
        {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth0"}},
        {"jump": {"target": "more"}}]}}
      ]}
      """;

  @Test
  void leavesOutPortfwdsOwnTableAndTheTablesIptablesReports() {
    List<FirewallChain> chains = NftRulesetParser.parse(RULESET, Set.of("ip filter"));
    assertThat(chains).extracting(FirewallChain::table).containsExactly("othernat");
  }

  @Test
  void readsHookPriorityPolicyAndRules() {
    FirewallChain pre =
        NftRulesetParser.parse(RULESET, Set.of()).stream()
            .filter(c -> c.name().equals("pre"))
            .findFirst()
            .orElseThrow();
    assertThat(pre.hook()).contains("prerouting");
    assertThat(pre.priority()).isEqualTo(-100);
    assertThat(pre.rules()).hasSize(2);
    FirewallRule dnat = pre.rules().get(0);
    assertThat(dnat.verdict()).isEqualTo(Verdict.to(Verdict.Kind.DNAT, "192.0.2.51"));
    assertThat(dnat.testsPort()).isTrue();
    assertThat(dnat.deleteCommand()).isEqualTo("nft delete rule ip othernat pre handle 3");
    FirewallRule jump = pre.rules().get(1);
    assertThat(jump.verdict()).isEqualTo(new Verdict(Verdict.Kind.JUMP, Optional.of("more")));
    assertThat(jump.matches()).anyMatch(m -> m instanceof Match.Opaque);
  }

  @Test
  void rejectsWhatIsNotNftJson() {
    assertThatThrownBy(() -> NftRulesetParser.parse("table inet x {}", Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
