package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import dev.portfwd.testing.GoldenFiles;
import dev.portfwd.testing.Tables;
import dev.portfwd.testing.Topology;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every golden table through the real kernel, in-process inside a test namespace: the real nft
 * accepts the script, its JSON listing decodes to exactly the forwards applied, and a second plan
 * is empty. Then the tables are applied one after another, each replacing the previous by element
 * changes only.
 */
class NftKernelRoundTripTest {

  @Test
  void realNftListsBackExactlyWhatWasAppliedForEveryGoldenTable() throws Exception {
    try (Topology topology = Topology.reference()) {
      NftBackend backend = new NftBackend(new NftCommandKernel(topology.runner("gateway")));
      for (String name : GoldenFiles.tableNames()) {
        DesiredState desired = Tables.compile(GoldenFiles.table(name));
        backend.apply(backend.plan(desired));
        assertThat(backend.status())
            .extracting(LiveForward::forward)
            .as(name)
            .containsExactlyElementsOf(NftBackend.kernelFormOf(desired).forwards());
        assertThat(backend.plan(desired).script()).as("second plan of " + name).isEmpty();
      }
      backend.apply(backend.planRemove());
      assertThat(topology.exec("gateway", "nft", "list", "ruleset").stdout()).isBlank();
    }
  }

  /** Characters that mean something to nft's parser or shells, plus multi-byte ones. */
  static final String NASTY = "\"'\\;{}[]()$#@*:.,-/<>|&!~`=+% \t\u0000\u001b\u007féü€😀𝄞\u2028";

  @Test
  void noDescriptionReachesTheRealNftAsSyntax() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<CompiledForward> forwards = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      StringBuilder description = new StringBuilder();
      int length = random.nextInt(90);
      for (int c = 0; c < length; c++) {
        description.appendCodePoint(
            NASTY.codePointAt(
                NASTY.offsetByCodePoints(
                    0, random.nextInt(NASTY.codePointCount(0, NASTY.length())))));
      }
      forwards.add(
          new CompiledForward(
              IpFamily.IPV4,
              Optional.empty(),
              Protocol.TCP,
              PortRange.of(10000 + i),
              InetAddress.getByName("192.0.2.2"),
              PortRange.of(80),
              List.of(),
              true,
              description.toString()));
    }
    DesiredState desired = new DesiredState(forwards);
    try (Topology topology = Topology.reference()) {
      topology.sh("gateway", "nft add table inet other && nft add chain inet other keep");
      NftBackend backend = new NftBackend(new NftCommandKernel(topology.runner("gateway")));
      backend.apply(backend.plan(desired));
      assertThat(backend.status())
          .extracting(LiveForward::forward)
          .as("seed " + seed)
          .containsExactlyElementsOf(NftBackend.kernelFormOf(desired).forwards());
      String tables = topology.exec("gateway", "nft", "list", "tables").stdout();
      assertThat(tables.lines().toList())
          .as("seed " + seed)
          .containsExactlyInAnyOrder("table inet other", "table inet portfwd");
      assertThat(topology.exec("gateway", "nft", "list", "table", "inet", "other").stdout())
          .isEqualTo("table inet other {\n\tchain keep {\n\t}\n}\n");
    }
  }
}
