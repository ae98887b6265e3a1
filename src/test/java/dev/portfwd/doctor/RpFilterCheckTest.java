package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class RpFilterCheckTest {

  private final RpFilterCheck check = new RpFilterCheck();
  private final ForwardTable table = Facts.table("13102 192.0.2.2 80\n");

  @Test
  void strictAllMakesEveryInterfaceStrictAndLooseModeFixesIt() {
    Facts facts = Facts.healthy(table);
    facts.sysctls.put("net.ipv4.conf.all.rp_filter", "1");
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.WARNING);
              assertThat(f.what()).contains("rp_filter=1").contains("wan, vpn").contains("line 1");
              assertThat(f.fix()).isEqualTo("sysctl -w net.ipv4.conf.all.rp_filter=2");
            });
  }

  @Test
  void strictOnOneInterfaceNamesOnlyIt() {
    Facts facts = Facts.healthy(table);
    facts.sysctls.put("net.ipv4.conf.vpn.rp_filter", "1");
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.what()).contains("on vpn;");
              assertThat(f.fix()).isEqualTo("sysctl -w net.ipv4.conf.vpn.rp_filter=2");
              assertThat(f.note())
                  .endsWith(
                      "that lasts until the next boot; to keep it: printf '%s\\n'"
                          + " net.ipv4.conf.vpn.rp_filter=2 > /etc/sysctl.d/90-portfwd-rp-filter.conf");
            });
  }

  @Test
  void quotesAnInterfaceNameForTheShell() {
    // Interface names may hold shell syntax ("ip link add 'x;id' type dummy" works).
    Facts facts = Facts.healthy(table);
    facts.interfaces.add(
        new HostInterface(
            "x;id", true, List.of(new HostInterface.Address(Facts.ip("192.0.2.77"), 24))));
    facts.sysctls.put("net.ipv4.conf.x;id.rp_filter", "1");
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.fix()).isEqualTo("sysctl -w 'net.ipv4.conf.x;id.rp_filter=2'");
              assertThat(f.note()).contains("printf '%s\\n' 'net.ipv4.conf.x;id.rp_filter=2' >");
            });
  }

  @Test
  void looseAndOffAreFine() {
    Facts facts = Facts.healthy(table);
    facts.sysctls.put("net.ipv4.conf.all.rp_filter", "2");
    facts.sysctls.put("net.ipv4.conf.vpn.rp_filter", "1"); // max(2, 1) = 2: loose
    assertThat(check.check(table, facts.build())).isEmpty();
  }

  @Test
  void ipv6OnlyTablesAreNotConcerned() {
    ForwardTable v6 = Facts.table("13102 2001:db8:2::2 80\n");
    Facts facts = Facts.healthy(v6);
    facts.sysctls.put("net.ipv4.conf.all.rp_filter", "1");
    assertThat(check.check(v6, facts.build())).isEmpty();
  }
}
