package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardDropCheckTest {

  private static final String TABLE =
      "{\"table\": {\"family\": \"inet\", \"name\": \"foreign\", \"handle\": 1}}";

  private final ForwardDropCheck check = new ForwardDropCheck();
  private final ForwardTable table = Facts.table("13102 192.0.2.2 80 tcp # Netbook\n");

  private static String chain(String family, String policy) {
    return "{\"chain\": {\"family\": \""
        + family
        + "\", \"table\": \"foreign\", \"name\": \"forward\", \"handle\": 1,"
        + " \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \""
        + policy
        + "\"}}";
  }

  private static String rule(int handle, String... expr) {
    return "{\"rule\": {\"family\": \"inet\", \"table\": \"foreign\", \"chain\": \"forward\", \"handle\": "
        + handle
        + ", \"expr\": ["
        + String.join(",", expr)
        + "]}}";
  }

  private static final String ACCEPT = "{\"accept\": null}";
  private static final String DROP = "{\"drop\": null}";

  private List<Finding> run(List<FirewallChain> chains) {
    Facts facts = Facts.healthy(table);
    facts.chains.addAll(chains);
    return check.check(table, facts.build());
  }

  @Test
  void foreignPolicyDropIsAnErrorNamingTheChainWithTheAcceptThatFixesIt() {
    assertThat(run(Facts.nft(TABLE, chain("inet", "drop"))))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.forward().orElseThrow().line()).isEqualTo(1);
              assertThat(f.what())
                  .contains("chain forward of nft table inet foreign")
                  .contains("policy drop")
                  .contains("192.0.2.2:80/tcp");
              assertThat(f.fix())
                  .isEqualTo("nft insert rule inet foreign forward ct status dnat accept");
            });
  }

  @Test
  void acceptOfDnatedConnectionsBeforeThePolicySavesThem() {
    String ctDnat =
        "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"status\"}}, \"right\": \"dnat\"}}";
    assertThat(run(Facts.nft(TABLE, chain("inet", "drop"), rule(2, ctDnat, ACCEPT)))).isEmpty();
  }

  @Test
  void acceptingOnlyEstablishedConnectionsDoesNotSaveTheFirstPacket() {
    String established =
        "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}},"
            + " \"right\": [\"established\", \"related\"]}}";
    assertThat(run(Facts.nft(TABLE, chain("inet", "drop"), rule(2, established, ACCEPT))))
        .singleElement()
        .satisfies(f -> assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR));
  }

  @Test
  void dropRuleForTheBackendPortIsNamedWithItsHandle() {
    String port80 =
        "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 80}}";
    assertThat(run(Facts.nft(TABLE, chain("inet", "accept"), rule(7, port80, DROP))))
        .singleElement()
        .satisfies(f -> assertThat(f.what()).contains("rule handle 7"));
  }

  @Test
  void dropRulesForOtherTrafficAreNotFindings() {
    String port22 =
        "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 22}}";
    String invalid =
        "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": \"invalid\"}}";
    String iif =
        "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iifname\"}}, \"right\": \"eth9\"}}";
    assertThat(
            run(
                Facts.nft(
                    TABLE,
                    chain("inet", "accept"),
                    rule(2, port22, DROP),
                    rule(3, invalid, DROP),
                    rule(4, iif, DROP))))
        .isEmpty();
  }

  @Test
  void anAcceptDoctorCannotDecideTurnsTheErrorIntoAWarning() {
    String iif =
        "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iifname\"}}, \"right\": \"wan\"}}";
    assertThat(run(Facts.nft(TABLE, chain("inet", "drop"), rule(2, iif, ACCEPT))))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.WARNING);
              assertThat(f.what()).contains("may drop");
            });
  }

  @Test
  void anAcceptOutOfTheBackendsInterfaceSavesIt() {
    String oif =
        "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"oifname\"}}, \"right\": \"vpn\"}}";
    assertThat(run(Facts.nft(TABLE, chain("inet", "drop"), rule(2, oif, ACCEPT)))).isEmpty();
  }

  @Test
  void anIpv6TableDoesNotDropIpv4Forwards() {
    String table6 = "{\"table\": {\"family\": \"ip6\", \"name\": \"foreign\", \"handle\": 1}}";
    assertThat(run(Facts.nft(table6, chain("ip6", "drop")))).isEmpty();
  }

  @Test
  void iptablesForwardPolicyDropIsFoundThroughDockerStyleJumps() {
    String save =
        """
        # Generated by iptables-save v1.8.9 (nf_tables) on Wed Nov 25 04:00:13 2026
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        :DOCKER-USER - [0:0]
        -A FORWARD -j DOCKER-USER
        -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A DOCKER-USER -j RETURN
        COMMIT
        """;
    assertThat(run(Facts.iptables(save)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.what())
                  .contains("iptables chain FORWARD (table filter)")
                  .contains("policy drop");
              assertThat(f.fix())
                  .isEqualTo("iptables -I FORWARD -m conntrack --ctstate DNAT -j ACCEPT");
            });
  }

  @Test
  void theSuggestedIptablesFixIsRecognisedAsTheFix() {
    String save =
        """
        *filter
        :FORWARD DROP [0:0]
        :DOCKER-USER - [0:0]
        -A FORWARD -j DOCKER-USER
        -A DOCKER-USER -m conntrack --ctstate DNAT -j ACCEPT
        -A DOCKER-USER -j RETURN
        COMMIT
        """;
    assertThat(run(Facts.iptables(save))).isEmpty();
  }

  @Test
  void oneChainDroppingEveryForwardIsOneHostFinding() {
    ForwardTable two = Facts.table("13102 192.0.2.2 80\n13103 192.0.2.3 80\n");
    Facts facts = Facts.healthy(two);
    facts.chains.addAll(Facts.nft(TABLE, chain("inet", "drop")));
    assertThat(check.check(two, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.forward()).isEmpty();
              assertThat(f.what()).contains("every forward");
            });
  }

  @Test
  void portfwdsOwnIptablesAcceptInTheSameForwardChainCounts() {
    // With the iptables backend, portfwd's accept sits in the same base chain as the policy.
    String save =
        """
        *filter
        :FORWARD DROP [0:0]
        :PORTFWD-FORWARD - [0:0]
        -A FORWARD -j PORTFWD-FORWARD
        -A PORTFWD-FORWARD -m conntrack --ctstate DNAT -j ACCEPT
        COMMIT
        """;
    assertThat(run(Facts.iptables(save))).isEmpty();
  }
}
