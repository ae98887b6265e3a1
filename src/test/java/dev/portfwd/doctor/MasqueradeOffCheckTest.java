package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MasqueradeOffCheckTest {

  private final MasqueradeOffCheck check = new MasqueradeOffCheck();

  @Test
  void explainsTheReturnRouteAndGivesTheBackendCommand() {
    ForwardTable table = Facts.table("13102 192.0.2.2 80 masquerade=no from=203.0.113.0/24\n");
    assertThat(check.check(table, Facts.healthy(table).build())).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.INFO);
      assertThat(f.what()).contains("must route 203.0.113.0/24 back through this gateway (192.0.2.1)");
      assertThat(f.note()).contains("ip route replace 203.0.113.0/24 via 192.0.2.1");
    });
  }

  @Test
  void aBackendBehindAnotherRouterIsAWarning() {
    ForwardTable table = Facts.table("13102 198.51.100.20 80 masquerade=no\n");
    Facts facts = Facts.healthy(table);
    facts.routes.put(Facts.ip("198.51.100.20"), new RouteFact(Facts.ip("198.51.100.20"), "unicast", Optional.of("vpn"),
        Optional.of(Facts.ip("192.0.2.254")), Optional.of(Facts.ip("192.0.2.1")), Optional.of("198.51.100.0/24"), ""));
    assertThat(check.check(table, facts.build())).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.what()).contains("behind router 192.0.2.254");
    });
  }

  @Test
  void masqueradedForwardsNeedNothing() {
    ForwardTable table = Facts.table("13102 192.0.2.2 80\n");
    assertThat(check.check(table, Facts.healthy(table).build())).isEmpty();
  }
}
