package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.testing.Tables;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NftBackendTest {

  static final String SEED =
      """
      # Ext-port   Int-IP      Int-port
      13102        192.0.2.2   80        # Netbook Apache
      13103        192.0.2.3   80        # D800 Apache
      13110        192.0.2.2   13110     # Sauerbraten
      13111        192.0.2.2   13111     # Sauerbraten Ping
      """;

  final FakeNftKernel kernel = new FakeNftKernel();
  final NftBackend backend = new NftBackend(kernel);

  @Test
  void secondPlanOfTheSameTableIsEmpty() throws BackendException {
    Plan first = backend.plan(Tables.compile(SEED));
    assertThat(first.count(ForwardChange.Kind.ADD)).isEqualTo(8);
    backend.apply(first);
    Plan second = backend.plan(Tables.compile(SEED));
    assertThat(second.isEmpty()).isTrue();
    assertThat(second.changes()).isEmpty();
  }

  @Test
  void spreadForwardReadsBackFromTheKernelAndChangesOnlyItsElements() throws BackendException {
    String table =
        "13102 192.0.2.2,192.0.2.18 80 tcp balance=roundrobin # web\n"
            + "13103 192.0.2.2,192.0.2.18,192.0.2.19 80 udp balance=hash\n"
            + "13104 192.0.2.3 80 tcp\n";
    Plan first = backend.plan(Tables.compile(table));
    assertThat(first.script())
        .contains(
            "add element inet portfwd spread4_rr2 { tcp . 13102 . 0 counter comment \"web\" :"
                + " 192.0.2.2 . 80, tcp . 13102 . 1 counter comment \"web\" : 192.0.2.18 . 80 }")
        .contains("udp . 13103 . 480480-720719 counter : 192.0.2.19 . 80");
    backend.apply(first);
    assertThat(backend.plan(Tables.compile(table)).isEmpty()).isTrue();
    assertThat(backend.status())
        .anySatisfy(
            f ->
                assertThat(f.forward().backendText())
                    .isEqualTo("192.0.2.2:80,192.0.2.18:80 roundrobin"));

    Plan change =
        backend.plan(Tables.compile(table.replace("192.0.2.2,192.0.2.18 80", "192.0.2.2 80")));
    assertThat(change.changes())
        .singleElement()
        .satisfies(c -> assertThat(c.describe()).startsWith("~ 13102/tcp → 192.0.2.2:80"));
    assertThat(change.script()).contains("delete element inet portfwd spread4_rr");
    backend.apply(change);
    assertThat(backend.plan(Tables.compile(table)).changes()).hasSize(1);
  }

  @Test
  void changingOneForwardAmongManySendsOnlyItsElements() throws BackendException {
    String many =
        IntStream.range(0, 2000)
            .mapToObj(i -> (20000 + i) + " 192.0.2.2 80 tcp\n")
            .collect(Collectors.joining());
    backend.apply(backend.plan(Tables.compile(many)));
    Plan change =
        backend.plan(Tables.compile(many.replace("20007 192.0.2.2 80", "20007 192.0.2.9 80")));
    assertThat(change.changes())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.describe())
                    .isEqualTo("~ 20007/tcp → 192.0.2.9:80  (was 192.0.2.2:80)"));
    assertThat(change.script())
        .matches(
            """
        delete element inet portfwd dnat4 \\{ tcp . 20007 \\}
        add element inet portfwd dnat4 \\{ tcp . 20007 counter : 192.0.2.9 . 80 \\}
        add element inet portfwd masq4 \\{ 192.0.2.9 . tcp . 80 \\}
        flush set inet portfwd ruleset_v5
        add element inet portfwd ruleset_v5 \\{ 0 comment "crc64 [0-9a-f]{16}" \\}
        """);
    backend.apply(change);
    assertThat(
            backend
                .plan(Tables.compile(many.replace("20007 192.0.2.2 80", "20007 192.0.2.9 80")))
                .isEmpty())
        .isTrue();
  }

  @Test
  void failedTransactionChangesNothing() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    String before = kernel.dump();
    kernel.rejectCommandsContaining("13111");
    Plan plan = backend.plan(Tables.compile(SEED.replace("192.0.2.2", "192.0.2.7")));
    assertThatThrownBy(() -> backend.apply(plan)).isInstanceOf(BackendException.class);
    assertThat(kernel.dump()).isEqualTo(before);
  }

  @Test
  void removeDeletesOnlyPortfwdsTableAndThenHasNothingToDo() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    Plan remove = backend.planRemove();
    assertThat(remove.count(ForwardChange.Kind.REMOVE)).isEqualTo(8);
    assertThat(remove.script()).isEqualTo("delete table inet portfwd\n");
    backend.apply(remove);
    assertThat(kernel.dump()).isEmpty();
    assertThat(backend.planRemove().isEmpty()).isTrue();
  }

  @Test
  void removeAllDeletesTheTableWithoutListingIt() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    int listings = kernel.listings();
    Plan remove = backend.planRemoveAll();
    assertThat(kernel.listings()).as("no listing of the elements").isEqualTo(listings);
    assertThat(remove.script()).isEqualTo("delete table inet portfwd\n");
    assertThat(remove.changes()).isEmpty();
    backend.apply(remove);
    assertThat(kernel.dump()).isEmpty();
    assertThat(backend.planRemoveAll().isEmpty()).isTrue();
  }

  @Test
  void removeAllDeletesATableOfAnotherRulesetVersionToo() throws Exception {
    kernel.run("add table inet portfwd\nadd set inet portfwd ruleset_v1 { type inet_service; }\n");
    backend.apply(backend.planRemoveAll());
    assertThat(kernel.dump()).isEmpty();
  }

  @Test
  void statusReadsForwardsBackFromTheKernel() throws BackendException {
    backend.apply(
        backend.plan(
            Tables.compile(SEED + "8000-8009 192.0.2.4 9000-9009 udp from=203.0.113.0/24\n")));
    assertThat(backend.status())
        .extracting(LiveForward::forward)
        .extracting(f -> f.describe())
        .containsExactly(
            "8000-8009/udp → 192.0.2.4:9000-9009  from=203.0.113.0/24",
            "13102/tcp → 192.0.2.2:80  Netbook Apache",
            "13102/udp → 192.0.2.2:80  Netbook Apache",
            "13103/tcp → 192.0.2.3:80  D800 Apache",
            "13103/udp → 192.0.2.3:80  D800 Apache",
            "13110/tcp → 192.0.2.2:13110  Sauerbraten",
            "13110/udp → 192.0.2.2:13110  Sauerbraten",
            "13111/tcp → 192.0.2.2:13111  Sauerbraten Ping",
            "13111/udp → 192.0.2.2:13111  Sauerbraten Ping");
  }

  @Test
  void statusShowsEachForwardsOwnCounters() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED + "8000-8009 192.0.2.4 RANGE udp\n")));
    kernel.count("dnat4", "tcp . 13102", 3, 180);
    kernel.count("dnat4", "udp . 13111", 1, 60);
    kernel.count("dnat4", "udp . 13111", 1, 70);
    kernel.count("dnat4_range", "udp . 8000-8009", 7, 700);

    assertThat(backend.status())
        .extracting(f -> f.forward().describe().split(" ")[0] + " " + f.packets() + "/" + f.bytes())
        .containsExactly(
            "8000-8009/udp 7/700",
            "13102/tcp 3/180",
            "13102/udp 0/0",
            "13103/tcp 0/0",
            "13103/udp 0/0",
            "13110/tcp 0/0",
            "13110/udp 0/0",
            "13111/tcp 0/0",
            "13111/udp 2/130");
  }

  @Test
  void tableOfAnotherRulesetVersionIsRebuiltInOneTransaction() throws Exception {
    kernel.run(
        "add table inet portfwd\nadd map inet portfwd dnat4 { type inet_proto . inet_service : ipv4_addr . inet_service; }\n");
    Plan plan = backend.plan(Tables.compile(SEED));
    assertThat(plan.script()).startsWith("delete table inet portfwd\nadd table inet portfwd");
    backend.apply(plan);
    assertThat(backend.plan(Tables.compile(SEED)).isEmpty()).isTrue();
  }

  @Test
  void upgradingFromTheFirstRulesetVersionRewritesTheRulesAndSaysTheForwardsStay()
      throws Exception {
    // What portfwd before version 2 left: the same elements under the old marker set.
    String version2 = backend.plan(Tables.compile(SEED)).script();
    kernel.run(
        version2
            .replace("ruleset_v5", "ruleset_v1")
            .replace("portfwd ruleset 5", "portfwd ruleset 1"));

    Plan plan = backend.plan(Tables.compile(SEED));
    assertThat(plan.changes()).isEmpty();
    assertThat(plan.script()).startsWith("delete table inet portfwd\nadd table inet portfwd");
    assertThat(plan.summary()).isEqualTo("no forward changes; portfwd's own rules are rewritten");
    backend.apply(plan);
    assertThat(kernel.dump()).contains("ruleset_v5").doesNotContain("ruleset_v1");
    assertThat(backend.plan(Tables.compile(SEED)).isEmpty()).isTrue();
  }

  @Test
  void lookupChainsConsultOnlyMapsWithElementsAndFollowTheTableInTheSameTransaction()
      throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    assertThat(rules("translate4_local"))
        .containsExactly("meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @dnat4");
    assertThat(rules("count4")).containsExactly("meta l4proto . th dport @dnat4 accept");
    assertThat(rules("translate4")).containsExactly("fib daddr type local jump translate4_local");
    assertThat(rules("translate6")).isEmpty();

    String restricted = SEED + "13200 192.0.2.2 80 tcp from=198.51.100.0/24\n";
    Plan add = backend.plan(Tables.compile(restricted));
    assertThat(add.script()).contains("flush chain inet portfwd translate4_local");
    backend.apply(add);
    assertThat(rules("translate4_local"))
        .containsExactly(
            "meta l4proto { tcp, udp } dnat ip to ip saddr . meta l4proto . th dport map @dnat4_from",
            "meta l4proto . th dport @refuse4 return",
            "meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @dnat4");
    assertThat(backend.plan(Tables.compile(restricted)).isEmpty()).isTrue();

    // A change that keeps the same maps in use leaves the rules alone.
    Plan same = backend.plan(Tables.compile(restricted.replace("13200", "13201")));
    assertThat(same.script()).doesNotContain("flush chain");

    Plan back = backend.plan(Tables.compile(SEED));
    assertThat(back.script()).contains("flush chain inet portfwd count4");
    backend.apply(back);
    assertThat(rules("translate4_local"))
        .containsExactly("meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @dnat4");
    assertThat(backend.plan(Tables.compile(SEED)).isEmpty()).isTrue();

    backend.apply(backend.plan(Tables.compile("[2001:db8::1]:443 2001:db8::2 443 tcp\n")));
    assertThat(rules("translate4")).isEmpty();
    assertThat(rules("translate4_local")).isEmpty();
    assertThat(rules("translate6"))
        .containsExactly(
            "meta l4proto { tcp, udp } dnat ip6 to ip6 daddr . meta l4proto . th dport map"
                + " @dnat6_addr");
  }

  /** The rules of one of portfwd's chains in the fake kernel, in order. */
  private java.util.List<String> rules(String chain) {
    String prefix = chain + "[";
    return kernel
        .dump()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(l.indexOf("]: ") + 3))
        .toList();
  }

  @Test
  void masqueradeNoSharingABackendPortWithAMasqueradingForwardIsMasqueraded()
      throws BackendException {
    Plan plan =
        backend.plan(
            Tables.compile("13102 192.0.2.2 80 tcp\n13103 192.0.2.2 80 tcp masquerade=no\n"));
    backend.apply(plan);
    // Masquerade is chosen by the backend's address, protocol and port: the one entry for
    // 192.0.2.2:80/tcp that 13102 needs masquerades 13103's connections too.
    assertThat(kernel.dump().lines().filter(l -> l.startsWith("masq4:")))
        .containsExactly("masq4: 192.0.2.2 . tcp . 80");
    assertThat(
            backend
                .plan(
                    Tables.compile(
                        "13102 192.0.2.2 80 tcp\n13103 192.0.2.2 80 tcp masquerade=no\n"))
                .isEmpty())
        .as("and planning the same table again changes nothing")
        .isTrue();
  }

  @Test
  void namedAddressAndAddresslessForwardsOnOnePortLiveInDifferentMaps() throws BackendException {
    backend.apply(
        backend.plan(
            Tables.compile("443 192.0.2.2 443 tcp\n198.51.100.7:443 192.0.2.3 443 tcp\n")));
    assertThat(kernel.dump())
        .contains("dnat4: tcp . 443 counter : 192.0.2.2 . 443")
        .contains("dnat4_addr: 198.51.100.7 . tcp . 443 counter : 192.0.2.3 . 443");
  }

  @Test
  void handEditedElementsThatDoNotDecodeAreRebuiltAndCanBeRemoved() throws Exception {
    backend.apply(backend.plan(Tables.compile(SEED)));
    kernel.run("add element inet portfwd dnat4 { sctp . 9 counter : 192.0.2.9 . 9 }\n");
    Plan plan = backend.plan(Tables.compile(SEED));
    assertThat(plan.script()).startsWith("delete table inet portfwd\n");
    backend.apply(plan);
    assertThat(backend.plan(Tables.compile(SEED)).isEmpty()).isTrue();
    kernel.run("add element inet portfwd dnat4 { sctp . 9 counter : 192.0.2.9 . 9 }\n");
    backend.apply(backend.planRemove());
    assertThat(kernel.dump()).isEmpty();
  }

  @Test
  void planFromAMatchingRecordEqualsThePlanFromTheListingWithoutListing() throws BackendException {
    String many =
        IntStream.range(0, 300)
            .mapToObj(i -> (20000 + i) + " 192.0.2.2 80\n")
            .collect(Collectors.joining());
    Plan first = backend.plan(Tables.compile(many));
    backend.apply(first);
    String changed =
        many.replace("20007 192.0.2.2 80", "20007 192.0.2.9 80").replace("20100 192.0.2.2", "#");
    int listed = kernel.listings();

    Plan fromRecord = backend.plan(Tables.compile(changed), Optional.of(first.desired()));
    assertThat(kernel.listings()).as("the table was not listed").isEqualTo(listed);
    Plan fromKernel = backend.plan(Tables.compile(changed));
    assertThat(fromRecord.changes()).isEqualTo(fromKernel.changes()).hasSize(4);
    assertThat(fromRecord.script()).isEqualTo(fromKernel.script());

    backend.apply(fromRecord);
    assertThat(backend.plan(Tables.compile(changed)).isEmpty()).isTrue();
    assertThat(backend.plan(Tables.compile(changed), Optional.of(fromRecord.desired())).isEmpty())
        .isTrue();
  }

  @Test
  void recordThatIsNotWhatTheKernelHoldsIsIgnored() throws BackendException {
    Plan seed = backend.plan(Tables.compile(SEED));
    backend.apply(seed);
    DesiredState stale = Tables.compile(SEED.replace("192.0.2.3", "192.0.2.5"));
    int listed = kernel.listings();

    Plan plan = backend.plan(Tables.compile(SEED), Optional.of(NftBackend.kernelFormOf(stale)));
    assertThat(kernel.listings()).as("listed because the digest differs").isEqualTo(listed + 1);
    assertThat(plan.isEmpty()).isTrue();
  }

  @Test
  void everyChangingTransactionStoresTheDigestOfTheElementsItLeaves() throws BackendException {
    backend.apply(backend.plan(Tables.compile(SEED)));
    String first = kernel.readDigest().orElseThrow();
    assertThat(first).matches("crc64 [0-9a-f]{16}");
    backend.apply(backend.plan(Tables.compile(SEED + "7777 192.0.2.4 7777 udp\n")));
    assertThat(kernel.readDigest()).isPresent().get().isNotEqualTo(first);
    backend.apply(backend.plan(Tables.compile(SEED)));
    assertThat(kernel.readDigest()).contains(first);
  }

  @Test
  void handDeletedElementMakesARecordedPlanFailWithoutChangingAnything()
      throws BackendException, NftCommandException {
    Plan seed = backend.plan(Tables.compile(SEED));
    backend.apply(seed);
    kernel.run("delete element inet portfwd dnat4 { tcp . 13103 }\n");
    String before = kernel.dump();

    Plan plan =
        backend.plan(
            Tables.compile(SEED.replace("192.0.2.3", "192.0.2.5")), Optional.of(seed.desired()));
    assertThatThrownBy(() -> backend.apply(plan))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("--reread");
    assertThat(kernel.dump()).isEqualTo(before);
  }

  @Test
  void aRecordIsWorthReadingOnlyWhileTheTableCarriesADigest() throws Exception {
    assertThat(backend.mayUseRecord()).as("no table").isFalse();
    backend.apply(backend.plan(Tables.compile(SEED)));
    assertThat(backend.mayUseRecord()).isTrue();
    kernel.run("flush set inet portfwd ruleset_v5\n");
    assertThat(backend.mayUseRecord()).as("digest gone").isFalse();
  }

  @Test
  void tableWithoutADigestGetsOneWithItsNextChangeOnly() throws Exception {
    backend.apply(backend.plan(Tables.compile(SEED)));
    kernel.run("flush set inet portfwd ruleset_v5\n");
    assertThat(backend.plan(Tables.compile(SEED)).isEmpty())
        .as("no element changes: nothing sent")
        .isTrue();
    backend.apply(backend.plan(Tables.compile(SEED + "7777 192.0.2.4 7777 udp\n")));
    assertThat(kernel.readDigest()).isPresent();
  }
}
