package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portfwd.testing.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What portfwd relies on from an {@link NftKernel}, as cases that run unchanged against {@link
 * FakeNftKernel} ({@code FakeNftKernelContractTest}) and against the real {@code nft} in a network
 * namespace ({@code NftCommandKernelContractIT}, in CI), so the fake cannot drift from the kernel.
 * Each case starts from a kernel without portfwd's table.
 */
abstract class NftKernelContract {

  static final String TABLE = "add table inet portfwd\n";
  static final String MAP4 =
      "add map inet portfwd dnat4 { type inet_proto . inet_service : ipv4_addr . inet_service;"
          + " counter; }\n";
  static final String MAP6 =
      "add map inet portfwd dnat6 { type inet_proto . inet_service : ipv6_addr . inet_service;"
          + " counter; }\n";

  /** A kernel of the kind under test, without portfwd's table. */
  abstract NftKernel kernel();

  NftKernel kernel;

  @BeforeEach
  void freshKernel() throws Exception {
    kernel = kernel();
    assertThat(kernel.tableExists()).isFalse();
  }

  private String listing() throws Exception {
    return kernel.listTable(false).orElseThrow();
  }

  @Test
  void aTransactionAppliesWholeAndIsListedBack() throws Exception {
    kernel.run(TABLE + MAP4 + "add element inet portfwd dnat4 { tcp . 13102 : 192.0.2.2 . 80 }\n");
    assertThat(kernel.tableExists()).isTrue();
    assertThat(listing()).contains("13102").contains("192.0.2.2");
  }

  @Test
  void aFailedTransactionChangesNothing() throws Exception {
    kernel.run(TABLE + MAP4);
    String before = listing();
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add element inet portfwd dnat4 { tcp . 13102 : 192.0.2.2 . 80 }\n"
                        + "add element inet portfwd nosuchmap { tcp . 13103 : 192.0.2.2 . 80 }\n"))
        .isInstanceOf(NftCommandException.class);
    assertThat(listing()).isEqualTo(before).doesNotContain("13102");
  }

  @Test
  void listsIpv6AddressesInTheirShortForm() throws Exception {
    kernel.run(
        TABLE
            + MAP6
            + "add element inet portfwd dnat6 { tcp . 443 : 2001:db8:0:0:0:0:0:5 . 8443 }\n");
    assertThat(listing()).contains("\"2001:db8::5\"").doesNotContain("2001:db8:0:0");
  }

  @Test
  void takesACommentOf128BytesAndRefusesALongerOne() throws Exception {
    kernel.run(TABLE + MAP4);
    String longest = "x".repeat(128);
    kernel.run(
        "add element inet portfwd dnat4 { tcp . 1 counter comment \""
            + longest
            + "\" : 192.0.2.2 . 80 }\n");
    assertThat(listing()).contains(longest);
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add element inet portfwd dnat4 { tcp . 2 counter comment \""
                        + longest
                        + "x\" : 192.0.2.2 . 80 }\n"))
        .isInstanceOf(NftCommandException.class);
    assertThat(listing()).doesNotContain(longest + "x");
  }

  @Test
  void addingTheSameMapAgainIsAccepted() throws Exception {
    kernel.run(TABLE + MAP4);
    kernel.run(TABLE + MAP4);
    assertThat(kernel.tableExists()).isTrue();
  }

  @Test
  void refusesAMapRedeclaredWithAnotherTypeOrFlags() throws Exception {
    kernel.run(TABLE + MAP4);
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add map inet portfwd dnat4 { type inet_proto . inet_service : ipv4_addr;"
                        + " counter; }\n"))
        .as("another value type")
        .isInstanceOf(NftCommandException.class);
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add map inet portfwd dnat4 { type inet_proto . inet_service : ipv4_addr ."
                        + " inet_service; flags interval; counter; }\n"))
        .as("other flags")
        .isInstanceOf(NftCommandException.class);
  }

  @Test
  void deletingTheTableRemovesEverything() throws Exception {
    kernel.run(TABLE + MAP4 + "add element inet portfwd dnat4 { tcp . 13102 : 192.0.2.2 . 80 }\n");
    kernel.run("delete table inet portfwd\n");
    assertThat(kernel.tableExists()).isFalse();
    assertThat(kernel.listTable(false)).isEmpty();
    assertThatThrownBy(() -> kernel.run("delete table inet portfwd\n"))
        .as("a table that is gone")
        .isInstanceOf(NftCommandException.class);
  }

  /** The keys of map {@code name}'s elements as nft's JSON lists them, without spacing. */
  private List<String> keys(String name) throws Exception {
    return elements(name, /* counters= */ false).stream()
        .map(elem -> elem.path("val").toString())
        .toList();
  }

  /** Each element of map {@code name} as its {@code elem} object (key, comment, counter). */
  private List<JsonNode> elements(String name, boolean counters) throws Exception {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode entry :
        MAPPER.readTree(kernel.listTable(counters).orElseThrow()).path("nftables")) {
      if (entry.path("map").path("name").asText().equals(name)) {
        for (JsonNode pair : entry.path("map").path("elem")) {
          found.add(pair.get(0).path("elem"));
        }
      }
    }
    return found;
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Every statement portfwd's ruleset writes, from each golden table (spread forwards' count rules,
   * snat maps, IPv6, ranges): the real nft takes the whole first apply, so the fake must too.
   */
  @ParameterizedTest
  @ValueSource(strings = {"seed", "options", "ranges", "ipv6", "snat", "spread"})
  void takesTheWholeFirstApplyOfEachGoldenTable(String name) throws Exception {
    String table = Files.readString(Path.of("src/test/resources/compile/" + name + ".table"));
    NftBackend backend = new NftBackend(kernel);
    backend.apply(backend.plan(Tables.compile(table)));
    assertThat(kernel.tableExists()).isTrue();
    assertThat(backend.plan(Tables.compile(table)).isEmpty())
        .as("applied again: no changes")
        .isTrue();
  }

  @Test
  void refusesAWordThatIsNoStatement() throws Exception {
    kernel.run(TABLE + "add chain inet portfwd c\n");
    kernel.run("add rule inet portfwd c meta l4proto { tcp, udp } th dport 80 accept\n");
    assertThatThrownBy(() -> kernel.run("add rule inet portfwd c meta l4proto tcp frobnicate\n"))
        .isInstanceOf(NftCommandException.class);
    assertThatThrownBy(() -> kernel.run("add rule inet portfwd c th dport 80 acept\n"))
        .isInstanceOf(NftCommandException.class);
  }

  @Test
  void refusesAJumpToAChainOrALookupInASetThatDoesNotExist() throws Exception {
    kernel.run(TABLE + MAP4 + "add chain inet portfwd c\nadd chain inet portfwd d\n");
    kernel.run(
        "add rule inet portfwd c jump d\n"
            + "add rule inet portfwd c meta l4proto . th dport @dnat4 accept\n");
    assertThatThrownBy(() -> kernel.run("add rule inet portfwd c jump nosuchchain\n"))
        .isInstanceOf(NftCommandException.class);
    assertThatThrownBy(
            () -> kernel.run("add rule inet portfwd c meta l4proto . th dport @nosuchset accept\n"))
        .isInstanceOf(NftCommandException.class);
  }

  /** A patch that changes which maps are in use rewrites the lookup chains this way. */
  @Test
  void flushesAChainAndFillsItAgainInOneTransactionButNotAMissingChain() throws Exception {
    kernel.run(
        TABLE
            + MAP4
            + "add chain inet portfwd c\n"
            + "add rule inet portfwd c meta l4proto . th dport @dnat4 accept\n");
    kernel.run(
        "flush chain inet portfwd c\n"
            + "add rule inet portfwd c meta l4proto . th dport @dnat4 accept\n"
            + "add element inet portfwd dnat4 { tcp . 13102 : 192.0.2.2 . 80 }\n");
    assertThat(listing()).contains("13102");
    assertThatThrownBy(
            () ->
                kernel.run(
                    "add element inet portfwd dnat4 { tcp . 13103 : 192.0.2.2 . 80 }\n"
                        + "flush chain inet portfwd nosuchchain\n"))
        .isInstanceOf(NftCommandException.class);
    assertThat(listing()).doesNotContain("13103");
  }

  @Test
  void listsKeysAsNftNormalisesThem() throws Exception {
    kernel.run(
        TABLE
            + "add map inet portfwd from4 { type ipv4_addr . inet_proto . inet_service :"
            + " ipv4_addr . inet_service; flags interval; counter; }\n"
            + "add map inet portfwd from6 { type ipv6_addr . inet_proto . inet_service :"
            + " ipv6_addr . inet_service; flags interval; counter; }\n"
            + "add map inet portfwd range4 { type inet_proto . inet_service : ipv4_addr;"
            + " flags interval; counter; }\n"
            + "add element inet portfwd from4 { 198.51.100.5/24 . tcp . 81 : 192.0.2.2 . 80,"
            + " 203.0.113.0-203.0.113.255 . tcp . 82 : 192.0.2.2 . 80,"
            + " 203.0.113.1-203.0.113.6 . tcp . 83 : 192.0.2.2 . 80 }\n"
            + "add element inet portfwd from6 { 2001:0db8:0002::/48 . tcp . 81 : 2001:db8::2 . 80 }\n"
            + "add element inet portfwd range4 { tcp . 7000-7000 : 192.0.2.2,"
            + " udp . 27015-27020 : 192.0.2.2 }\n");

    assertThat(keys("from4"))
        .as("host bits cleared; a range that is a prefix listed as the prefix")
        .containsExactlyInAnyOrder(
            "{\"concat\":[{\"prefix\":{\"addr\":\"198.51.100.0\",\"len\":24}},\"tcp\",81]}",
            "{\"concat\":[{\"prefix\":{\"addr\":\"203.0.113.0\",\"len\":24}},\"tcp\",82]}",
            "{\"concat\":[{\"range\":[\"203.0.113.1\",\"203.0.113.6\"]},\"tcp\",83]}");
    assertThat(keys("from6"))
        .containsExactly(
            "{\"concat\":[{\"prefix\":{\"addr\":\"2001:db8:2::\",\"len\":48}},\"tcp\",81]}");
    assertThat(keys("range4"))
        .as("a one-port range is that port")
        .containsExactlyInAnyOrder(
            "{\"concat\":[\"tcp\",7000]}", "{\"concat\":[\"udp\",{\"range\":[27015,27020]}]}");
    // Deleted by the key as nft lists it.
    kernel.run("delete element inet portfwd from4 { 198.51.100.0/24 . tcp . 81 }\n");
    assertThat(keys("from4")).hasSize(2);
  }

  @Test
  void listsElementCountersWithTheirValuesOnlyWhenAsked() throws Exception {
    kernel.run(TABLE + MAP4 + "add element inet portfwd dnat4 { tcp . 13102 : 192.0.2.2 . 80 }\n");
    assertThat(elements("dnat4", /* counters= */ true))
        .singleElement()
        .satisfies(
            elem ->
                assertThat(elem.path("counter").toString())
                    .isEqualTo("{\"packets\":0,\"bytes\":0}"));
    assertThat(elements("dnat4", /* counters= */ false))
        .singleElement()
        .satisfies(elem -> assertThat(elem.path("counter").isNull()).isTrue());
  }
}
