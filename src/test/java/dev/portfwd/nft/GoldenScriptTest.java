package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.testing.GoldenFiles;
import dev.portfwd.testing.Tables;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden pairs (see {@link GoldenFiles}): {@code NAME.table} and {@code NAME.nft}, the script a
 * first apply sends. Each pair is also applied to the fake kernel and planned again: no changes.
 */
class GoldenScriptTest {

  static List<String> names() {
    return GoldenFiles.tableNames();
  }

  @Test
  void everyGoldenFileHasItsPair() throws IOException {
    assertThat(GoldenFiles.unpaired("nft")).as("golden files without their pair").isEmpty();
    assertThat(names()).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("names")
  void firstApplySendsTheGoldenScript(String name) throws Exception {
    DesiredState desired = Tables.compile(GoldenFiles.table(name));
    NftBackend backend = new NftBackend(new FakeNftKernel());
    Plan plan = backend.plan(desired);
    GoldenFiles.assertMatches(name, "nft", plan.script());
    backend.apply(plan);
    assertThat(backend.plan(desired).isEmpty()).as("second plan of " + name).isTrue();
    assertThat(backend.status())
        .extracting(LiveForward::forward)
        .containsExactlyElementsOf(NftBackend.kernelFormOf(desired).forwards());
  }
}
