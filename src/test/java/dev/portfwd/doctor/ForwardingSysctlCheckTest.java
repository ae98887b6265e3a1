package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingSysctlCheckTest {

  private final ForwardingSysctlCheck check = new ForwardingSysctlCheck();

  @Test
  void reportsIpv4ForwardingOffWithTheSysctlThatFixesIt() {
    ForwardTable table = Facts.table("13102 192.0.2.2 80\n13103 192.0.2.3 80\n");
    Facts facts = Facts.healthy(table);
    facts.sysctls.put("net.ipv4.ip_forward", "0");
    List<Finding> findings = check.check(table, facts.build());
    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.what()).contains("net.ipv4.ip_forward = 0").contains("lines 1, 2");
              assertThat(f.fix()).isEqualTo("sysctl -w net.ipv4.ip_forward=1");
              assertThat(f.note())
                  .isEqualTo(
                      "that lasts until the next boot; to keep it: printf '%s\\n'"
                          + " net.ipv4.ip_forward=1 > /etc/sysctl.d/90-portfwd-ipv4-forwarding.conf"
                          + " (or, with the Debian package: ln -s"
                          + " /usr/share/portfwd/90-portfwd-forwarding.conf /etc/sysctl.d/);"
                          + " 'portfwd apply' switches it on unless given --no-sysctl");
            });
  }

  @Test
  void silentWhenForwardingIsOn() {
    ForwardTable table = Facts.table("13102 192.0.2.2 80\n");
    assertThat(check.check(table, Facts.healthy(table).build())).isEmpty();
  }

  @Test
  void ipv6ForwardingMattersOnlyForIpv6Forwards() {
    ForwardTable v4 = Facts.table("13102 192.0.2.2 80\n");
    Facts facts = Facts.healthy(v4);
    facts.sysctls.put("net.ipv6.conf.all.forwarding", "0");
    assertThat(check.check(v4, facts.build())).isEmpty();

    ForwardTable v6 = Facts.table("13102 2001:db8:2::2 80\n");
    Facts facts6 = Facts.healthy(v6);
    facts6.sysctls.put("net.ipv6.conf.all.forwarding", "0");
    assertThat(check.check(v6, facts6.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.fix()).isEqualTo("sysctl -w net.ipv6.conf.all.forwarding=1");
              // Its own file: both fixes together must not overwrite each other.
              assertThat(f.note())
                  .contains(
                      "to keep it: printf '%s\\n' net.ipv6.conf.all.forwarding=1 >"
                          + " /etc/sysctl.d/90-portfwd-ipv6-forwarding.conf ")
                  .contains("router advertisements");
            });
  }

  @Test
  void unreadableSysctlIsNotGuessed() {
    ForwardTable table = Facts.table("13102 192.0.2.2 80\n");
    Facts facts = Facts.healthy(table);
    facts.sysctls.remove("net.ipv4.ip_forward");
    assertThat(check.check(table, facts.build())).isEmpty();
  }
}
