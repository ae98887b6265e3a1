package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.testing.GoldenFiles;
import dev.portfwd.testing.Tables;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SkeletonTest {

  /**
   * A recorded plan decides whether to rewrite the lookup rules from the forwards, a listed one
   * from the kernel's elements: both must name the same sets, or a table would be relinked on every
   * apply (or never).
   */
  @Test
  void consultedSetsOfForwardsAreThoseOfTheirElements() throws IOException {
    for (String name : GoldenFiles.tableNames()) {
      List<CompiledForward> forwards =
          NftBackend.kernelFormOf(Tables.compile(GoldenFiles.table(name))).forwards();
      Set<String> fromForwards = Skeleton.consulted(forwards);
      assertThat(fromForwards).as(name).isNotEmpty();
      assertThat(fromForwards)
          .as(name)
          .isEqualTo(Skeleton.consulted(ElementCodec.encode(forwards)));
    }
  }

  @Test
  void tableWithoutForwardsHasNoLookupRulesButKeepsItsChains() {
    NftTransaction tx = new NftTransaction();
    Skeleton.addTo(tx, Skeleton.consulted(List.of()));
    assertThat(tx.toString())
        .contains("add chain inet portfwd translate4_local\n")
        .doesNotContain("add rule inet portfwd translate4")
        .doesNotContain("add rule inet portfwd count4")
        .contains("add rule inet portfwd prerouting meta l4proto { tcp, udp } meta nfproto vmap");
  }

  @Test
  void relinkFlushesEveryLookupChainBeforeWritingItsRules() {
    NftTransaction tx = new NftTransaction();
    Skeleton.relink(tx, Set.of("dnat6_from"));
    List<String> lines = tx.toString().lines().toList();
    assertThat(lines.stream().filter(l -> l.startsWith("flush chain"))).hasSize(6);
    assertThat(lines.subList(6, lines.size()))
        .containsExactly(
            "add rule inet portfwd translate6 fib daddr type local jump translate6_local",
            "add rule inet portfwd translate6_local meta l4proto { tcp, udp } dnat ip6 to ip6 saddr"
                + " . meta l4proto . th dport map @dnat6_from",
            "add rule inet portfwd count6 ip6 saddr . meta l4proto . th dport @dnat6_from accept");
  }
}
