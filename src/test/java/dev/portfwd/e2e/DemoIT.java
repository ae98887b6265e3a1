package dev.portfwd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.KernelAccess;
import dev.portfwd.testing.PortfwdJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portfwd demo} as README's first command runs it, on this host: answered, and nothing left
 * behind (no namespace, the host's ruleset and forwarding sysctls as they were), also when it is
 * interrupted. Reads the host's ruleset and sysctls; changes neither.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DemoIT {

  @TempDir Path dir;

  /** What the demo must leave as it found it on this host. */
  private static String hostState() throws Exception {
    ProcessCommandRunner host = new ProcessCommandRunner();
    return String.join(
        "\n",
        host.run(List.of("nft", "list", "ruleset")).stdout(),
        host.run(List.of("sysctl", "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding")).stdout(),
        demoNamespaces());
  }

  private static String demoNamespaces() {
    try {
      return new ProcessCommandRunner()
          .run(List.of("ip", "netns", "list"))
          .stdout()
          .lines()
          .filter(l -> l.startsWith("pfdemo-"))
          .reduce("", (a, b) -> a + b + "\n");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void demoShowsTheRequestFailingThenAnsweredAndLeavesNothing() throws Exception {
    KernelAccess.require();
    String before = hostState();
    CommandResult demo = PortfwdJar.run("", "demo");
    assertThat(demo.exitCode()).as(demo.stdout() + demo.stderr()).isZero();
    assertThat(demo.stdout())
        .contains("failed: connection refused")
        .contains("+ 8080/tcp → 192.0.2.2:80")
        .contains("answered: HTTP/1.1 200 OK: hello from the backend; you came from 192.0.2.1")
        .contains("8080/tcp  192.0.2.2:80")
        .contains("nothing of the demo is left");
    assertThat(demoNamespaces()).isEmpty();
    assertThat(hostState()).as("the host's ruleset, sysctls and namespaces").isEqualTo(before);
  }

  @Test
  void demoInterruptedWithCtrlCLeavesNothing() throws Exception {
    KernelAccess.require();
    String before = hostState();
    Path output = dir.resolve("demo.out");
    Process demo =
        new ProcessBuilder(PortfwdJar.command("demo"))
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try {
      // Interrupted once its namespaces and backend exist, before it ends by itself.
      Conditions.await(
          "the demo's failing request",
          Duration.ofSeconds(60),
          () -> Conditions.read(output).contains("failed: connection refused"));
      new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor();
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as(Conditions.read(output)).isTrue();
    } finally {
      demo.destroyForcibly();
    }
    assertThat(demo.exitValue())
        .as("interrupted, not finished: " + Conditions.read(output))
        .isNotZero();
    Conditions.await(
        "the demo's namespaces are gone", Duration.ofSeconds(30), () -> demoNamespaces().isEmpty());
    assertThat(hostState()).as("the host's ruleset, sysctls and namespaces").isEqualTo(before);
  }
}
