package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reads {@code nft -j list ...} output in the shapes nftables 1.0.6 prints. */
class NftListingTest {

  private static final String LISTING =
      """
      {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
      {"table": {"family": "inet", "name": "portfwd", "handle": 9, "comment": "portfwd ruleset 3"}},
      {"chain": {"family": "inet", "table": "portfwd", "name": "prerouting", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
      {"chain": {"family": "inet", "table": "portfwd", "name": "translate", "handle": 2}},
      {"rule": {"family": "inet", "table": "portfwd", "chain": "prerouting", "handle": 3, "expr": [
        {"jump": {"target": "translate"}}]}},
      {"set": {"family": "inet", "name": "marker", "table": "portfwd", "type": "inet_service", "handle": 4, "elem": [1]}},
      {"map": {"family": "inet", "name": "dnat4", "table": "portfwd", "handle": 5, "elem": [["tcp . 80", "192.0.2.2 . 8080"]]}}
      ]}
      """;

  @Test
  void readsEachObjectInOrderAndSkipsMetainfo() throws IOException {
    List<NftListing.Entry> entries = NftListing.read(LISTING).orElseThrow();
    assertThat(entries).hasSize(6);
    assertThat(entries.get(0))
        .isEqualTo(new NftListing.Table("inet", "portfwd", Optional.of("portfwd ruleset 3")));
    assertThat(entries.get(1))
        .isEqualTo(
            new NftListing.Chain(
                "inet",
                "portfwd",
                "prerouting",
                "1",
                Optional.of("nat"),
                Optional.of("prerouting"),
                -100,
                Optional.of("accept")));
    assertThat(entries.get(2))
        .isEqualTo(
            new NftListing.Chain(
                "inet",
                "portfwd",
                "translate",
                "2",
                Optional.empty(),
                Optional.empty(),
                0,
                Optional.empty()));
    NftListing.Rule rule = (NftListing.Rule) entries.get(3);
    assertThat(rule.chain()).isEqualTo("prerouting");
    assertThat(rule.handle()).isEqualTo("3");
    assertThat(rule.expressions())
        .singleElement()
        .satisfies(
            expr -> assertThat(expr.path("jump").path("target").asText()).isEqualTo("translate"));
    NftListing.SetOrMap set = (NftListing.SetOrMap) entries.get(4);
    assertThat(set.isMap()).isFalse();
    assertThat(set.elements()).hasSize(1);
    NftListing.SetOrMap map = (NftListing.SetOrMap) entries.get(5);
    assertThat(map.isMap()).isTrue();
    assertThat(map.name()).isEqualTo("dnat4");
    assertThat(map.elements().get(0).get(1).asText()).isEqualTo("192.0.2.2 . 8080");
  }

  @Test
  void jsonWithoutAnNftablesArrayListsNothing() throws IOException {
    assertThat(NftListing.read("{}")).isEmpty();
    assertThat(NftListing.read("{\"nftables\": {}}")).isEmpty();
  }

  @Test
  void textThatIsNotJsonFails() {
    assertThatThrownBy(() -> NftListing.read("table inet x {}")).isInstanceOf(IOException.class);
  }
}
