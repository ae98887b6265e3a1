package dev.portfwd.iptables;

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
 * Golden pairs (see {@link GoldenFiles}): {@code NAME.table} and {@code NAME.iptables}, the restore
 * input a first apply sends (to an empty host). Each pair is also applied to the fake kernel and
 * planned again: no changes, and the forwards read back equal the compiled ones.
 */
class GoldenRestoreTest {

  static List<String> names() {
    return GoldenFiles.tableNames();
  }

  @Test
  void everyTableHasItsIptablesGoldenAndBack() throws IOException {
    assertThat(GoldenFiles.unpaired("iptables")).as("golden files without their pair").isEmpty();
    assertThat(names()).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("names")
  void firstApplySendsTheGoldenRestoreInput(String name) throws Exception {
    DesiredState desired = Tables.compile(GoldenFiles.table(name));
    IptablesBackend backend = new IptablesBackend(new FakeIptablesKernel());
    Plan plan = backend.plan(desired);
    GoldenFiles.assertMatches(name, "iptables", plan.script());
    backend.apply(plan);
    assertThat(backend.plan(desired).isEmpty()).as("second plan of " + name).isTrue();
    assertThat(backend.status())
        .extracting(LiveForward::forward)
        .containsExactlyElementsOf(IptablesBackend.kernelFormOf(desired).forwards());
  }
}
