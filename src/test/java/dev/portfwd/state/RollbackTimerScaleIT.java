package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detached rollback timer of {@code apply --confirm} at 50,000 forwards (100,000 nftables
 * elements), end to end: the apply is killed at its prompt, and the timer alone must undo it. With
 * a heap of 96 MB it ran out of memory reading the kernel back, and every forward stayed.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RollbackTimerScaleIT {

  private static final int FORWARDS = 50_000;

  /** JVM start, 50,000 forwards planned and applied, on a machine shared with other builds. */
  private static final Duration APPLY_TIMEOUT = Duration.ofMinutes(3);

  private static final Duration ROLLBACK_TIMEOUT = Duration.ofMinutes(3);

  @TempDir Path dir;

  private Path state() {
    return dir.resolve("state");
  }

  private Path table(String name, String backend) throws IOException {
    StringBuilder text = new StringBuilder(FORWARDS * 40);
    for (int i = 0; i < FORWARDS; i++) {
      text.append(10_000 + i)
          .append(' ')
          .append(backend)
          .append(' ')
          .append(80 + i % 1000)
          .append(" # forward ")
          .append(i)
          .append('\n');
    }
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  /**
   * Runs {@code apply --confirm 10 TABLE} as its own session leader, output to a file. Ten seconds,
   * not fewer: the test looks at the kernel between the prompt and the timer's rollback, and a
   * loaded machine took more than three for that.
   */
  private Process startConfirmingApply(Topology topology, Path table, Path output)
      throws IOException {
    List<String> argv =
        new ArrayList<>(List.of("setsid", "ip", "netns", "exec", topology.namespace("gateway")));
    argv.addAll(
        PortfwdJar.command(
            "apply", "--state-dir", state().toString(), "--confirm", "10", table.toString()));
    return new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  /** Kills the apply and its process group at the prompt, as a lost SSH session can. */
  private void killAtThePrompt(Topology topology, Path table) throws Exception {
    Path output = dir.resolve("apply.out");
    Process apply = startConfirmingApply(topology, table, output);
    try {
      Conditions.await(
          "the prompt", APPLY_TIMEOUT, () -> Conditions.read(output).contains("Type 'yes'"));
      new ProcessBuilder("kill", "-KILL", "--", "-" + apply.pid()).start().waitFor();
      assertThat(apply.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      apply.destroyForcibly();
    }
  }

  private String awaitTheTimersRollback() throws InterruptedException {
    Path log = state().resolve("rollback.log");
    Conditions.await(
        "the timer's rollback",
        ROLLBACK_TIMEOUT,
        () ->
            Conditions.read(log).contains("not confirmed")
                || Conditions.read(log).contains("Error"));
    return Conditions.read(log);
  }

  private static boolean portfwdTableExists(Topology topology) {
    return topology.exec("gateway", "nft", "list", "tables").stdout().contains("inet portfwd");
  }

  @Test
  void timerAloneRemovesFiftyThousandUnconfirmedForwards() throws Exception {
    try (Topology topology = Topology.reference()) {
      killAtThePrompt(topology, table("big.txt", Topology.BACKEND));
      assertThat(portfwdTableExists(topology)).isTrue();

      String log = awaitTheTimersRollback();

      assertThat(log)
          .doesNotContain("OutOfMemoryError")
          .contains("restored the state with no portfwd forwards (nftables)");
      assertThat(portfwdTableExists(topology)).as("portfwd's table is gone").isFalse();
      assertThat(state().resolve("pending.state")).doesNotExist();
    }
  }

  @Test
  void timerAloneRestoresFiftyThousandForwardsOverFiftyThousandOthers() throws Exception {
    try (Topology topology = Topology.reference()) {
      CommandResult first =
          PortfwdJar.runIn(
              topology,
              "gateway",
              "apply",
              "--state-dir",
              state().toString(),
              table("a.txt", Topology.BACKEND).toString());
      assertThat(first.exitCode()).as(first.stderr()).isZero();
      String rulesA = topology.portfwdRules("gateway");
      // Every forward changes: the restoring plan is as large as it gets.
      killAtThePrompt(topology, table("b.txt", "192.0.2.3"));

      String log = awaitTheTimersRollback();

      assertThat(log)
          .doesNotContain("OutOfMemoryError")
          .contains("restored " + 2 * FORWARDS + " forwards from " + dir.resolve("a.txt"));
      assertThat(topology.portfwdRules("gateway"))
          .as("the forwards of a.txt are back")
          .isEqualTo(rulesA);
    }
  }
}
