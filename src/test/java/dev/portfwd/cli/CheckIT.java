package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The built jar, run as a user runs it: exit codes and streams as documented in README.md. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CheckIT {

  @Test
  void checksTheShippedExample() {
    CommandResult result = PortfwdJar.run("", "check", "examples/seed-ports.txt");

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).contains("13102", "13103", "13110", "13111").doesNotContain("7777");
    assertThat(result.stdout().lines()).hasSize(5);
  }

  @Test
  void exitsTwoOnABadTableFromStandardInput() {
    CommandResult result = PortfwdJar.run("13102 172.16.0.300 80\n", "check", "-");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .startsWith("<stdin>:1:7: error: expected the backend's IPv4 or IPv6 address");
  }

  @Test
  void refusesDevZeroWithExitTwoAndNoStackTrace() {
    CommandResult result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60), () -> PortfwdJar.run("", "check", "/dev/zero"));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .isEqualTo(
            "portfwd: /dev/zero: is a character device, not a table file; name a regular file, or"
                + " '-' to read standard input\n");
  }

  @Test
  void refusesAFifoInsteadOfWaitingForAWriter(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("ports.txt");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "no mkfifo");

    CommandResult result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60), () -> PortfwdJar.run("", "check", fifo.toString()));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("is a FIFO (named pipe), not a table file");
  }

  @Test
  void aFortyKilobyteLineOfErrorsWritesAFewKilobytes() {
    CommandResult result = PortfwdJar.run("2 ".repeat(20_000).strip() + "\n", "check", "-");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr().length()).isLessThan(4_000);
    assertThat(result.stderr()).endsWith("portfwd: 19998 errors in <stdin>\n");
  }

  @Test
  void escapesAnEscapeSequenceBeforeItReachesTheTerminal() {
    CommandResult result = PortfwdJar.run("80 192.0.2.2 # \u001b]0;pwned\u0007\n", "check", "-");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .contains("# \\x1b]0;pwned\\x07\n")
        .doesNotContain("\u001b", "\u0007");
  }

  @Test
  void printsItsVersion() {
    CommandResult result = PortfwdJar.run("", "--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).startsWith("portfwd 0.");
  }
}
