package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StateDirTest {

  @Test
  void optionWinsOverEnvironmentWhichWinsOverDefault() {
    assertThat(StateDir.resolve(Optional.of(Path.of("/tmp/a")), Map.of(StateDir.ENV, "/tmp/b")))
        .isEqualTo(Path.of("/tmp/a"));
    assertThat(StateDir.resolve(Optional.empty(), Map.of(StateDir.ENV, "/tmp/b")))
        .isEqualTo(Path.of("/tmp/b"));
    assertThat(StateDir.resolve(Optional.empty(), Map.of(StateDir.ENV, " ")))
        .isEqualTo(Path.of("/var/lib/portfwd"));
    assertThat(StateDir.resolve(Optional.empty(), Map.of())).isEqualTo(Path.of("/var/lib/portfwd"));
  }
}
