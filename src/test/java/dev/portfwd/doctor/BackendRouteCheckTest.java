package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendRouteCheckTest {

  private final BackendRouteCheck check = new BackendRouteCheck();
  private final ForwardTable table = Facts.table("13102 192.0.2.2 80 # Netbook\n");

  @Test
  void healthyRouteIsInformationWithTheSourceAddress() {
    List<Finding> findings = check.check(table, Facts.healthy(table).build());
    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.INFO);
              assertThat(f.what()).contains("out of vpn").contains("source address 192.0.2.1");
            });
  }

  @Test
  void noRouteIsAnErrorAndRestoresTheConnectedSubnet() {
    Facts facts = Facts.healthy(table);
    facts.routes.put(
        Facts.ip("192.0.2.2"),
        RouteFact.none(Facts.ip("192.0.2.2"), "RTNETLINK answers: Network is unreachable"));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.forward().orElseThrow().line()).isEqualTo(1);
              assertThat(f.what())
                  .contains("no route to backend 192.0.2.2")
                  .contains("unreachable");
              assertThat(f.fix()).isEqualTo("ip route add 192.0.2.0/24 src 192.0.2.1 dev vpn");
            });
  }

  @Test
  void noRouteWithoutAConnectedSubnetGivesNoCommandButSaysWhatToAdd() {
    ForwardTable far = Facts.table("13102 198.51.100.20 80\n");
    Facts facts = Facts.healthy(far);
    facts.routes.put(
        Facts.ip("198.51.100.20"),
        RouteFact.none(Facts.ip("198.51.100.20"), "Network is unreachable"));
    assertThat(check.check(far, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.fix()).isEmpty();
              assertThat(f.note())
                  .contains("ip route add 198.51.100.20 via PEER dev VPN-INTERFACE");
            });
  }

  @Test
  void routeOutOfAnotherInterfaceThanTheBackendsSubnetIsAnError() {
    Facts facts = Facts.healthy(table);
    facts.routes.put(
        Facts.ip("192.0.2.2"),
        Facts.routeVia("192.0.2.2", "wan", "203.0.113.254", "203.0.113.1", "192.0.2.2"));
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.what())
                  .contains("subnet of interface vpn")
                  .contains("out of wan via 203.0.113.254");
              assertThat(f.fix()).isEqualTo("ip route del 192.0.2.2 via 203.0.113.254 dev wan");
            });
  }

  @Test
  void backendOnlyReachedByTheDefaultRouteIsAWarning() {
    ForwardTable far = Facts.table("13102 198.51.100.20 80\n");
    Facts facts = Facts.healthy(far);
    facts.routes.put(
        Facts.ip("198.51.100.20"),
        Facts.routeVia("198.51.100.20", "wan", "203.0.113.254", "203.0.113.1", "default"));
    assertThat(check.check(far, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.WARNING);
              assertThat(f.what()).contains("only through the default route");
            });
  }
}
