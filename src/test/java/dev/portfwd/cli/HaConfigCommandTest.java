package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaConfigCommandTest {

  @TempDir Path dir;

  @Test
  void aDescriptionThatIsNotTextIsInvalidInputNamingTheFile() throws IOException {
    Path description = dir.resolve("pair.ha");
    Files.write(description, new byte[] {'s', 'e', 'c', (byte) 0xff, '\n'});
    assertThatThrownBy(
            () -> HaConfigCommand.readDescription(description, new PrintWriter(new StringWriter())))
        .isInstanceOfSatisfying(
            PortfwdException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(2);
              assertThat(e.getMessage())
                  .isEqualTo(description + ": not UTF-8 text; expected an HA description");
            });
  }
}
