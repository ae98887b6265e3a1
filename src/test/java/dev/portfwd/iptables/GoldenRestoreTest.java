package dev.portfwd.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.apply.ForwardCounters;
import dev.portfwd.apply.Plan;
import dev.portfwd.compile.DesiredState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden pairs: {@code src/test/resources/compile/NAME.table} and {@code NAME.iptables}, the
 * restore input a first apply sends (to an empty host). Run with {@code -Dgolden.update=true} to
 * rewrite the {@code .iptables} files, then review the diff. Each pair is also applied to the fake
 * kernel and planned again: no changes, and the forwards read back equal the compiled ones.
 */
class GoldenRestoreTest {

  static final Path DIR = Path.of("src/test/resources/compile");

  static Stream<String> names() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".table"))
          .map(n -> n.substring(0, n.length() - ".table".length())).sorted().toList().stream();
    }
  }

  @Test
  void everyTableHasItsIptablesGoldenAndBack() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      List<String> unpaired = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".iptables") || n.endsWith(".table"))
          .filter(n -> {
            String base = n.substring(0, n.lastIndexOf('.'));
            return !Files.exists(DIR.resolve(base + (n.endsWith(".iptables") ? ".table" : ".iptables")));
          })
          .toList();
      assertThat(unpaired).as("golden files without their pair").isEmpty();
    }
    assertThat(names()).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("names")
  void firstApplySendsTheGoldenRestoreInput(String name) throws Exception {
    DesiredState desired = Tables.compile(Files.readString(DIR.resolve(name + ".table"), StandardCharsets.UTF_8));
    FakeIptablesKernel kernel = new FakeIptablesKernel();
    IptablesBackend backend = new IptablesBackend(kernel);
    Plan plan = backend.plan(desired);
    Path golden = DIR.resolve(name + ".iptables");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(golden, plan.script(), StandardCharsets.UTF_8);
    }
    assertThat(plan.script()).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    backend.apply(plan);
    assertThat(backend.plan(desired).isEmpty()).as("second plan of " + name).isTrue();
    assertThat(backend.status()).extracting(ForwardCounters::forward)
        .containsExactlyElementsOf(IptablesBackend.kernelForm(desired).forwards());
  }
}
