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
import picocli.CommandLine;

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

  @Test
  void emptyDirectoriesAreUsageErrorsNotTheWorkingDirectory() {
    // --dry-run --no-validate: without the check, the files would only be printed.
    for (String option : new String[] {"--config-dir", "--run-dir"}) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine commandLine = Portfwd.newCommandLine();
      commandLine.setOut(new PrintWriter(out));
      commandLine.setErr(new PrintWriter(err));
      int exit =
          commandLine.execute(
              "ha",
              "config",
              "--gateway",
              "gw-a",
              "--dry-run",
              "--no-validate",
              option,
              "",
              "src/test/resources/ha/pair.ha");
      assertThat(exit).as(option).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(err.toString()).startsWith(option + " needs a directory");
      assertThat(out.toString()).as("no files printed").isEmpty();
    }
  }
}
