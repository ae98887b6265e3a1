package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import org.junit.jupiter.api.Test;

class MasqueradeOffCheckTest {

  private final MasqueradeOffCheck check = new MasqueradeOffCheck();

  @Test
  void explainsTheReturnRouteAndGivesTheBackendCommand() {
    ForwardTable table = Facts.table("13102 192.0.2.2 80 masquerade=no from=203.0.113.0/24\n");
    assertThat(check.check(table, Facts.healthy(table).build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.INFO);
              assertThat(f.what())
                  .contains("must route 203.0.113.0/24 back through this gateway (192.0.2.1)");
              assertThat(f.note()).contains("ip route replace 203.0.113.0/24 via 192.0.2.1");
            });
  }

  @Test
  void aBackendBehindAnotherRouterIsAWarning() {
    ForwardTable table = Facts.table("13102 198.51.100.20 80 masquerade=no\n");
    Facts facts = Facts.healthy(table);
    facts.routes.put(
        Facts.ip("198.51.100.20"),
        Facts.routeVia("198.51.100.20", "vpn", "192.0.2.254", "192.0.2.1", "198.51.100.0/24"));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.WARNING);
              assertThat(f.what()).contains("behind router 192.0.2.254");
            });
  }

  @Test
  void masqueradedForwardsNeedNothing() {
    ForwardTable table = Facts.table("13102 192.0.2.2 80\n");
    assertThat(check.check(table, Facts.healthy(table).build())).isEmpty();
  }

  @Test
  void connectionsThatNeverGotAnAnswerProveTheReturnPathBroken() {
    ForwardTable table = Facts.table("13102 192.0.2.2 80 tcp masquerade=no\n");
    Facts facts = Facts.healthy(table);
    facts.conntrack.add(
        new ConntrackEntry(
            Protocol.TCP,
            Facts.ip("203.0.113.10"),
            Facts.ip("203.0.113.1"),
            41000,
            13102,
            Facts.ip("192.0.2.2"),
            80,
            false));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.what())
                  .contains("1 TCP connection from clients (e.g. 203.0.113.10)")
                  .contains("none got an answer");
              assertThat(f.note())
                  .contains("on the backend: ip route replace default via 192.0.2.1");
            });

    facts.conntrack.add(
        new ConntrackEntry(
            Protocol.TCP,
            Facts.ip("203.0.113.10"),
            Facts.ip("203.0.113.1"),
            41001,
            13102,
            Facts.ip("192.0.2.2"),
            80,
            true));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(f -> assertThat(f.severity()).isEqualTo(FindingSeverity.INFO));
  }
}
