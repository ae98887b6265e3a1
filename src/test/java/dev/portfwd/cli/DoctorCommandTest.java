package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The doctor command's own options, checked before it touches the host. What it finds is tested by
 * the doctor package's unit tests and, against the real kernel, by {@code DoctorIT}.
 */
class DoctorCommandTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Portfwd.newCommandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int exit = commandLine.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void isListedInTheRootHelp() {
    assertThat(run("--help").out()).contains("doctor");
  }

  @Test
  void helpNamesProbeAndNoProbe() {
    Run help = run("doctor", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("--[no-]probe")
        .contains("--json")
        .contains("--timeout=SECONDS")
        .contains("TABLE");
  }

  @Test
  void rejectsATimeoutOutsideOneToThirtySecondsAsInvalidInput() {
    Run run = run("doctor", "--timeout", "0", "examples/seed-ports.txt");
    assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.err()).contains("--timeout must be between 1 and 30 seconds");
  }

  @Test
  void aTableWithErrorsExitsTwoWithItsDiagnosticsAndNoReport() {
    Run run = run("doctor", "--no-probe", "src/test/resources/check/broken.table");
    assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.out()).as("no findings are printed").isEmpty();
    assertThat(run.err()).contains("broken.table:").contains("error:");
  }

  @Test
  void emptyHaDirectoriesAreUsageErrorsNotTheWorkingDirectory() {
    for (String option : new String[] {"--ha-config-dir", "--ha-run-dir"}) {
      Run run = run("doctor", option, "", "--no-probe", "examples/seed-ports.txt");
      assertThat(run.exitCode()).as(option).isEqualTo(ExitCode.INVALID_INPUT);
      assertThat(run.err()).startsWith(option + " needs a directory");
      assertThat(run.out()).as("no report").isEmpty();
    }
  }
}
