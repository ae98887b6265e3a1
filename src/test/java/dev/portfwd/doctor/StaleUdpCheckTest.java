package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import org.junit.jupiter.api.Test;

class StaleUdpCheckTest {

  private final StaleUdpCheck check = new StaleUdpCheck();
  private final ForwardTable table = Facts.table("13110 192.0.2.2 13110 udp # Sauerbraten\n");

  private static ConntrackEntry entry(String replySource, int replyPort) {
    return new ConntrackEntry(
        Protocol.UDP,
        Facts.ip("203.0.113.10"),
        Facts.ip("203.0.113.1"),
        40000,
        13110,
        Facts.ip(replySource),
        replyPort,
        true);
  }

  @Test
  void entryPointingAtAnOldBackendIsAnErrorWithTheDeleteCommand() {
    Facts facts = Facts.healthy(table);
    facts.conntrack.add(entry("192.0.2.3", 13110));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.what()).contains("1 UDP conntrack entry").contains("192.0.2.3:13110");
              assertThat(f.fix())
                  .isEqualTo("conntrack -D -p udp --orig-port-dst 13110 --reply-src 192.0.2.3");
            });
  }

  @Test
  void entryMadeBeforeTheForwardPointsAtTheGatewayItself() {
    Facts facts = Facts.healthy(table);
    facts.conntrack.add(entry("203.0.113.1", 13110));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(f -> assertThat(f.what()).contains("the gateway itself"));
  }

  @Test
  void entriesThroughTheForwardAndOtherPortsAreFine() {
    Facts facts = Facts.healthy(table);
    facts.conntrack.add(entry("192.0.2.2", 13110));
    facts.conntrack.add(
        new ConntrackEntry(
            Protocol.UDP,
            Facts.ip("203.0.113.10"),
            Facts.ip("203.0.113.1"),
            40000,
            53,
            Facts.ip("203.0.113.1"),
            53,
            true));
    assertThat(check.check(table, facts.build())).isEmpty();
  }
}
