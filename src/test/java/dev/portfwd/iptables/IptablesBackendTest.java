package dev.portfwd.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.IpFamily;
import dev.portfwd.testing.Tables;
import java.util.List;
import org.junit.jupiter.api.Test;

class IptablesBackendTest {

  private static final String SEED =
      """
      # Ext-port   Int-IP       Int-port
      13102        192.0.2.2    80        # Netbook Apache
      13103        192.0.2.3    80        # D800 Apache
      13110        192.0.2.2    13110     # Sauerbraten
      """;

  /** A Docker-like nat chain with a jump from PREROUTING, and a hand-written FORWARD rule. */
  static final String DOCKER_NAT =
      """
      *nat
      :PREROUTING ACCEPT [0:0]
      :INPUT ACCEPT [0:0]
      :OUTPUT ACCEPT [0:0]
      :POSTROUTING ACCEPT [0:0]
      :DOCKER - [0:0]
      -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
      -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
      -A DOCKER -i docker0 -j RETURN
      -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
      COMMIT
      """;

  static final String HAND_FILTER =
      """
      *filter
      :INPUT ACCEPT [0:0]
      :FORWARD DROP [0:0]
      :OUTPUT ACCEPT [0:0]
      -A FORWARD -s 198.51.100.0/24 -j DROP
      COMMIT
      """;

  private final FakeIptablesKernel kernel = new FakeIptablesKernel();
  private final IptablesBackend backend = new IptablesBackend(kernel);

  @Test
  void appliesSeedTableAndReadsItBack() throws BackendException {
    DesiredState desired = Tables.compile(SEED);
    Plan plan = backend.plan(desired);
    assertThat(plan.count(ForwardChange.Kind.ADD)).isEqualTo(6);
    backend.apply(plan);

    assertThat(backend.status())
        .extracting(LiveForward::forward)
        .containsExactlyElementsOf(desired.forwards());
    assertThat(backend.isInstalled()).isTrue();
  }

  @Test
  void spreadForwardsAreOneRuleEachBackendAndReadBack() throws BackendException {
    DesiredState desired =
        Tables.compile(
            "13102 192.0.2.2,192.0.2.18,192.0.2.19 80 tcp balance=roundrobin # web\n"
                + "13103 192.0.2.2,192.0.2.18 80 udp balance=hash\n");
    Plan plan = backend.plan(desired);
    assertThat(plan.script())
        .contains(
            "-A PORTFWD-DNAT -p tcp -m tcp --dport 13102 -m addrtype --dst-type LOCAL -m statistic"
                + " --mode nth --every 3 --packet 0 -m comment --comment web -j DNAT"
                + " --to-destination 192.0.2.2:80")
        .contains(
            "--every 2 --packet 0 -m comment --comment web -j DNAT --to-destination 192.0.2.18:80")
        .contains(
            "--dst-type LOCAL -m comment --comment web -j DNAT --to-destination 192.0.2.19:80")
        .contains(
            "-m cluster --cluster-local-nodemask 0x00000002 --cluster-total-nodes 2"
                + " --cluster-hash-seed 0x00000000 -j DNAT --to-destination 192.0.2.18:80")
        .contains("-A PORTFWD-POSTROUTING -d 192.0.2.19/32 -p tcp");
    backend.apply(plan);
    assertThat(backend.status())
        .extracting(LiveForward::forward)
        .containsExactlyElementsOf(desired.forwards());
    assertThat(backend.plan(desired).isEmpty()).isTrue();
  }

  @Test
  void secondApplyIsNoOp() throws BackendException {
    backend.apply(
        backend.plan(
            Tables.compile(
                SEED
                    + "8000-8009 192.0.2.2 9000-9009 tcp from=203.0.113.0/24,198.51.100.7\n"
                    + "7777:7779 192.0.2.4 udp masquerade=no\n198.51.100.7:443 192.0.2.5 8443 tcp # \"quoted\" \\ back\n"
                    + "[2001:db8:1::1]:443 2001:db8:2::2 443 tcp\n")));
    int restores = kernel.restores().size();

    Plan again =
        backend.plan(
            Tables.compile(
                SEED
                    + "8000-8009 192.0.2.2 9000-9009 tcp from=203.0.113.0/24,198.51.100.7\n"
                    + "7777:7779 192.0.2.4 udp masquerade=no\n198.51.100.7:443 192.0.2.5 8443 tcp # \"quoted\" \\ back\n"
                    + "[2001:db8:1::1]:443 2001:db8:2::2 443 tcp\n"));

    assertThat(again.changes()).isEmpty();
    assertThat(again.isEmpty()).isTrue();
    backend.apply(again);
    assertThat(kernel.restores()).hasSize(restores);
  }

  @Test
  void changeShowsPerForwardAndRebuildsOnlyPortfwdChains() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    Plan plan = backend.plan(Tables.compile(SEED.replace("192.0.2.3    80", "192.0.2.9    81")));

    assertThat(plan.changes())
        .extracting(ForwardChange::describe)
        .containsExactly(
            "~ 13103/tcp → 192.0.2.9:81  D800 Apache  (was 192.0.2.3:80)",
            "~ 13103/udp → 192.0.2.9:81  D800 Apache  (was 192.0.2.3:80)");
    assertThat(plan.script())
        .contains("-F PORTFWD-DNAT")
        .doesNotContain("-F PREROUTING")
        .doesNotContain("-X");
  }

  @Test
  void keepsForeignRules() throws BackendException {
    kernel.load(IpFamily.IPV4, DOCKER_NAT + HAND_FILTER);
    String before = kernel.dump(IpFamily.IPV4);

    backend.apply(backend.plan(Tables.compile(SEED)));
    String during = kernel.dump(IpFamily.IPV4);
    assertThat(withoutPortfwd(during)).isEqualTo(before);
    assertThat(during).contains("-A PREROUTING -j PORTFWD-PREROUTING\n-A PREROUTING -m addrtype");

    backend.apply(backend.planRemove());
    assertThat(kernel.dump(IpFamily.IPV4)).isEqualTo(before);
  }

  @Test
  void removeLeavesNoChainOrJump() throws BackendException {
    backend.apply(
        backend.plan(Tables.compile(SEED + "[2001:db8:1::1]:443 2001:db8:2::2 443 tcp\n")));
    Plan remove = backend.planRemove();
    assertThat(remove.count(ForwardChange.Kind.REMOVE)).isEqualTo(7);

    backend.apply(remove);

    assertThat(kernel.dump(IpFamily.IPV4) + kernel.dump(IpFamily.IPV6)).doesNotContain("PORTFWD");
    assertThat(backend.isInstalled()).isFalse();
    assertThat(backend.planRemove().isEmpty()).isTrue();
  }

  @Test
  void removeAllIsRemoveWithoutDecodingForwards() throws BackendException {
    kernel.load(IpFamily.IPV4, DOCKER_NAT + HAND_FILTER);
    String before = kernel.dump(IpFamily.IPV4);
    backend.apply(
        backend.plan(Tables.compile(SEED + "[2001:db8:1::1]:443 2001:db8:2::2 443 tcp\n")));
    Plan removeAll = backend.planRemoveAll();
    assertThat(removeAll.changes()).isEmpty();
    assertThat(removeAll.script()).isEqualTo(backend.planRemove().script());

    backend.apply(removeAll);

    assertThat(kernel.dump(IpFamily.IPV4)).isEqualTo(before);
    assertThat(kernel.dump(IpFamily.IPV6)).doesNotContain("PORTFWD");
    assertThat(backend.planRemoveAll().isEmpty()).isTrue();
  }

  @Test
  void neverDuplicatesJumps() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    backend.apply(backend.plan(Tables.compile(SEED.replace("13110", "13111"))));

    assertThat(
            kernel
                .dump(IpFamily.IPV4)
                .lines()
                .filter(l -> l.equals("-A PREROUTING -j PORTFWD-PREROUTING")))
        .hasSize(1);
  }

  @Test
  void refusedRestoreChangesNothing() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    String before = kernel.dump(IpFamily.IPV4) + kernel.dump(IpFamily.IPV6);
    kernel.rejectRestoresContaining("2001:db8:2::2");

    Plan plan =
        backend.plan(
            Tables.compile(
                SEED + "13200 192.0.2.7 80\n[2001:db8:1::1]:443 2001:db8:2::2 443 tcp\n"));
    assertThatThrownBy(() -> backend.apply(plan))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("line 3 failed");

    // The IPv4 block was fine, but it is checked with the IPv6 one before either is applied.
    assertThat(kernel.dump(IpFamily.IPV4) + kernel.dump(IpFamily.IPV6)).isEqualTo(before);
  }

  /** The seed with 13103 sent elsewhere: its DNAT (nat) and its accept (filter) both change. */
  private static final String CHANGED = SEED.replace("192.0.2.3    80", "192.0.2.9    81");

  private static final String LOCKED =
      "Another app is currently holding the xtables lock. Stopped waiting after 10s.";

  @Test
  void aTableThatFailsAfterAnotherWasChangedPutsTheOtherBack() throws BackendException {
    kernel.load(IpFamily.IPV4, DOCKER_NAT + HAND_FILTER);
    backend.apply(backend.plan(Tables.compile(SEED)));
    String before = kernel.dump(IpFamily.IPV4);
    Plan plan = backend.plan(Tables.compile(CHANGED));
    kernel.refuseRestores(2); // filter goes through, nat does not

    assertThatThrownBy(() -> backend.apply(plan))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            "changing the IPv4 nat table failed (iptables-restore: "
                + LOCKED
                + "); the IPv4 filter table, already changed, was put back: portfwd's rules are"
                + " as before");

    assertThat(kernel.dump(IpFamily.IPV4)).isEqualTo(before);
    assertThat(backend.plan(Tables.compile(SEED)).isEmpty()).isTrue();
  }

  @Test
  void putsBackEveryChangedTableOfBothFamiliesAlsoOnAFirstApply() throws BackendException {
    kernel.load(IpFamily.IPV4, DOCKER_NAT + HAND_FILTER);
    String before = kernel.dump(IpFamily.IPV4);
    Plan plan = backend.plan(Tables.compile(SEED + "[2001:db8:1::1]:443 2001:db8:2::2 443 tcp\n"));
    kernel.refuseRestores(4); // IPv4 filter, IPv4 nat and IPv6 filter go through

    assertThatThrownBy(() -> backend.apply(plan))
        .hasMessage(
            "changing the IPv6 nat table failed (ip6tables-restore: "
                + LOCKED
                + "); the IPv4 filter, IPv4 nat and IPv6 filter tables, already changed, were put"
                + " back: portfwd's rules are as before");

    assertThat(kernel.dump(IpFamily.IPV4)).isEqualTo(before);
    // The IPv6 filter table the first restore made stays, empty, as after 'remove'.
    assertThat(kernel.dump(IpFamily.IPV6)).doesNotContain("PORTFWD").doesNotContain("-A ");
    assertThat(backend.isInstalled()).isFalse();
  }

  @Test
  void aRestoreStoppedAfterTheKernelTookItIsPutBackToo() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    String before = kernel.dump(IpFamily.IPV4);
    Plan plan = backend.plan(Tables.compile(CHANGED));
    kernel.commitThenFailRestore(2);

    assertThatThrownBy(() -> backend.apply(plan))
        .hasMessage(
            "changing the IPv4 nat table failed (iptables-restore --noflush -w 10 did not finish"
                + " within 30 s and was stopped); the IPv4 filter and IPv4 nat tables, already"
                + " changed, were put back: portfwd's rules are as before");

    assertThat(kernel.dump(IpFamily.IPV4)).isEqualTo(before);
  }

  @Test
  void saysWhichTablesHoldTheNewRulesWhenPuttingBackFailsToo() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    Plan plan = backend.plan(Tables.compile(CHANGED));
    kernel.refuseRestores(2, 3); // the nat table, then putting filter back

    assertThatThrownBy(() -> backend.apply(plan))
        .hasMessage(
            "changing the IPv4 nat table failed (iptables-restore: "
                + LOCKED
                + "); putting back the IPv4 filter table failed too (iptables-restore: "
                + LOCKED
                + "), so it may hold portfwd's new rules and the other tables the old ones: run"
                + " the command again");

    String now = kernel.dump(IpFamily.IPV4);
    assertThat(now)
        .contains("--ctreplsrc 192.0.2.9 --ctreplsrcport 81 -j ACCEPT")
        .contains("--to-destination 192.0.2.3:80")
        .doesNotContain("--to-destination 192.0.2.9:81");
    // Once the lock is free, applying again converges.
    backend.apply(backend.plan(Tables.compile(CHANGED)));
    assertThat(backend.plan(Tables.compile(CHANGED)).isEmpty()).isTrue();
  }

  @Test
  void aFailedFirstTableChangesNothingAndSaysSo() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    String before = kernel.dump(IpFamily.IPV4);
    Plan plan = backend.plan(Tables.compile(CHANGED));
    kernel.refuseRestores(1);

    assertThatThrownBy(() -> backend.apply(plan))
        .hasMessage(
            "changing the IPv4 filter table failed (iptables-restore: "
                + LOCKED
                + "); nothing was changed");
    assertThat(kernel.dump(IpFamily.IPV4)).isEqualTo(before);
  }

  @Test
  void emptyingAFamilyRemovesItsChains() throws BackendException {
    backend.apply(
        backend.plan(Tables.compile(SEED + "[2001:db8:1::1]:443 2001:db8:2::2 443 tcp\n")));
    backend.apply(backend.plan(Tables.compile(SEED)));

    assertThat(kernel.dump(IpFamily.IPV6)).doesNotContain("PORTFWD");
    assertThat(kernel.dump(IpFamily.IPV4)).contains("PORTFWD-DNAT");
  }

  @Test
  void worksWithoutIpv6WhenNoForwardNeedsIt() throws BackendException {
    kernel.breakIpv6();
    backend.apply(backend.plan(Tables.compile(SEED)));
    assertThat(backend.status()).hasSize(6);

    assertThatThrownBy(() -> backend.plan(Tables.compile("443 2001:db8:2::2 tcp\n")))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("ip6tables");
  }

  @Test
  void statusReportsDnatCounters() throws BackendException {
    backend.apply(
        backend.plan(
            Tables.compile(
                "13102 192.0.2.2 80 tcp # web\n13103 192.0.2.2 81 tcp from=203.0.113.0/24,198.51.100.0/24\n")));
    kernel.setCounters(IpFamily.IPV4, "nat", "PORTFWD-DNAT", 0, 5, 300);
    kernel.setCounters(IpFamily.IPV4, "nat", "PORTFWD-DNAT", 1, 2, 120);
    kernel.setCounters(IpFamily.IPV4, "nat", "PORTFWD-DNAT", 2, 1, 60);

    List<LiveForward> status = backend.status();

    assertThat(status)
        .extracting(
            c -> c.forward().externalPorts().first(), LiveForward::packets, LiveForward::bytes)
        .containsExactly(tuple(13102, 5L, 300L), tuple(13103, 3L, 180L));
  }

  @Test
  void masqueradeNoIsKeptUnlessTheBackendPortIsMasqueradedAnyway() throws BackendException {
    DesiredState desired =
        Tables.compile(
            "13102 192.0.2.2 80 tcp masquerade=no\n13103 192.0.2.3 80 tcp\n"
                + "13104 192.0.2.3 80 tcp masquerade=no\n");
    backend.apply(backend.plan(desired));

    assertThat(backend.status())
        .extracting(c -> c.forward().masquerade())
        .containsExactly(false, true, true);
    assertThat(kernel.dump(IpFamily.IPV4))
        .contains(
            "-A PORTFWD-POSTROUTING -d 192.0.2.3/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -j MASQUERADE")
        .doesNotContain("-d 192.0.2.2/32 -p tcp -m tcp --dport 80 -m conntrack");
  }

  @Test
  void planOfAnotherFlavourIsRefused() throws BackendException {
    Plan plan = backend.plan(Tables.compile(SEED));
    IptablesBackend legacy = new IptablesBackend(new FakeIptablesKernel(IptablesFlavour.LEGACY));

    assertThatThrownBy(() -> legacy.apply(plan)).hasMessageContaining("another iptables flavour");
  }

  @Test
  void deletesStrayPortfwdChainsSoASecondApplyIsStillANoOp() throws BackendException {
    kernel.load(
        IpFamily.IPV4,
        "*nat\n:PORTFWD-OLD - [0:0]\n-A PORTFWD-OLD -j RETURN\n-A OUTPUT -j PORTFWD-OLD\nCOMMIT\n");

    backend.apply(backend.plan(Tables.compile(SEED)));

    assertThat(kernel.dump(IpFamily.IPV4)).doesNotContain("PORTFWD-OLD");
    assertThat(backend.plan(Tables.compile(SEED)).isEmpty()).isTrue();
  }

  static String withoutPortfwd(String dump) {
    return dump.lines()
        .filter(l -> !l.contains("PORTFWD"))
        .map(l -> l + "\n")
        .reduce("", String::concat);
  }
}
