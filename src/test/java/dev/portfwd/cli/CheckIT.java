package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import org.junit.jupiter.api.Test;

/** The built jar, run as a user runs it: exit codes and streams as documented in README.md. */
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
  void printsItsVersion() {
    CommandResult result = PortfwdJar.run("", "--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).startsWith("portfwd 0.");
  }
}
