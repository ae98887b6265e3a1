package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForeignNatCheckTest {

  private final ForeignNatCheck check = new ForeignNatCheck();
  private final ForwardTable table = Facts.table("13102 192.0.2.2 80 tcp # Netbook\n");

  private static List<FirewallChain> nat(int priority, String rules) {
    return Facts.nft(
        "{\"table\": {\"family\": \"ip\", \"name\": \"other\", \"handle\": 2}}",
        "{\"chain\": {\"family\": \"ip\", \"table\": \"other\", \"name\": \"pre\", \"handle\": 1, \"type\": \"nat\","
            + " \"hook\": \"prerouting\", \"prio\": "
            + priority
            + ", \"policy\": \"accept\"}}",
        rules);
  }

  private static String dnatRule(int port, String to) {
    return "{\"rule\": {\"family\": \"ip\", \"table\": \"other\", \"chain\": \"pre\", \"handle\": 5, \"expr\": ["
        + "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": "
        + port
        + "}},"
        + "{\"dnat\": {\"addr\": \""
        + to
        + "\", \"port\": 80}}]}}";
  }

  private List<Finding> run(List<FirewallChain> chains) {
    Facts facts = Facts.healthy(table);
    facts.chains.addAll(chains);
    return check.check(table, facts.build());
  }

  @Test
  void earlierDnatForTheSamePortIsAnErrorWithTheDeleteCommand() {
    assertThat(run(nat(-150, dnatRule(13102, "198.51.100.9"))))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.forward().orElseThrow().line()).isEqualTo(1);
              assertThat(f.what())
                  .contains("catches 13102/tcp")
                  .contains("198.51.100.9:80")
                  .contains("runs before");
              assertThat(f.fix()).isEqualTo("nft delete rule ip other pre handle 5");
            });
  }

  @Test
  void samePriorityIsReportedBecauseTheOrderIsNotPromised() {
    assertThat(run(nat(-100, dnatRule(13102, "198.51.100.9"))))
        .singleElement()
        .satisfies(f -> assertThat(f.what()).contains("order the kernel does not promise"));
  }

  @Test
  void laterChainsNeverSeeTheConnection() {
    assertThat(run(nat(0, dnatRule(13102, "198.51.100.9")))).isEmpty();
  }

  @Test
  void otherPortsAndTheSameBackendAreNotFindings() {
    assertThat(run(nat(-150, dnatRule(8080, "198.51.100.9")))).isEmpty();
    assertThat(run(nat(-150, dnatRule(13102, "192.0.2.2")))).isEmpty();
  }

  @Test
  void dockerStyleDnatBehindAnAddrtypeJumpIsFound() {
    String save =
        """
        *nat
        :PREROUTING ACCEPT [0:0]
        :DOCKER - [0:0]
        -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
        -A DOCKER -i docker0 -j RETURN
        -A DOCKER ! -i docker0 -p tcp -m tcp --dport 13102 -j DNAT --to-destination 172.17.0.2:80
        COMMIT
        """;
    assertThat(run(Facts.iptables(save)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.fix())
                  .isEqualTo(
                      "iptables -t nat -D DOCKER ! -i docker0 -p tcp -m tcp --dport 13102 -j DNAT --to-destination 172.17.0.2:80");
            });
  }

  @Test
  void portfwdsOwnIptablesChainsAreNotForeign() {
    String save =
        """
        *nat
        :PREROUTING ACCEPT [0:0]
        :PORTFWD-PREROUTING - [0:0]
        -A PREROUTING -j PORTFWD-PREROUTING
        -A PORTFWD-PREROUTING -p tcp -m tcp --dport 13102 -j DNAT --to-destination 198.51.100.9:80
        COMMIT
        """;
    assertThat(run(Facts.iptables(save))).isEmpty();
  }
}
