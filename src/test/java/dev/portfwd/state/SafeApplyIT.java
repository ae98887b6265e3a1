package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
 * {@code apply --confirm}, {@code confirm} and {@code rollback} end to end: the built jar runs in
 * the gateway namespace of the reference topology, against the real kernel, with a state directory
 * of the test's own.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SafeApplyIT {

  private static final String TABLE_A = "13102 " + Topology.BACKEND + " 80 tcp # A\n";
  private static final String TABLE_B = "13103 " + Topology.BACKEND + " 8080 tcp # B\n";

  @TempDir Path dir;

  private Path state() {
    return dir.resolve("state");
  }

  private Path table(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private CommandResult portfwd(Topology topology, String... args) {
    List<String> argv = new ArrayList<>(List.of("--state-dir", state().toString()));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(1, argv);
    return PortfwdJar.runIn(topology, "gateway", all.toArray(String[]::new));
  }

  /**
   * Starts apply --confirm as its own session leader (as a login shell's job is), output to a file.
   */
  private Process startConfirmingApply(Topology topology, int seconds, Path table, Path output)
      throws IOException {
    List<String> argv =
        new ArrayList<>(List.of("setsid", "ip", "netns", "exec", topology.namespace("gateway")));
    argv.addAll(
        PortfwdJar.command(
            "apply",
            "--state-dir",
            state().toString(),
            "--confirm",
            Integer.toString(seconds),
            table.toString()));
    return new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  private static String ipForward(Topology topology) {
    return topology.exec("gateway", "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip();
  }

  @Test
  void confirmingInTimeKeepsTheNewRulesAndTrafficFlows() throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.spawn(
          "backend", "socat", "TCP-LISTEN:80,fork,reuseaddr", "SYSTEM:echo hello-from-backend");
      topology.awaitListening("backend", "tcp", 80, Duration.ofSeconds(10));
      Path output = dir.resolve("apply.out");
      List<String> argv =
          new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
      argv.addAll(
          PortfwdJar.command(
              "apply",
              "--state-dir",
              state().toString(),
              "--confirm",
              "30",
              table("a.txt", TABLE_A).toString()));
      Process apply =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      try {
        Conditions.await(
            "the prompt",
            Duration.ofSeconds(30),
            () -> Conditions.read(output).contains("Type 'yes'"));
        assertThat(topology.portfwdRules("gateway")).contains("13102");
        try (OutputStream terminal = apply.getOutputStream()) {
          terminal.write("yes\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(apply.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(apply.exitValue()).as(Conditions.read(output)).isZero();
      } finally {
        apply.destroyForcibly();
      }
      assertThat(Conditions.read(output)).contains("confirmed: keeping");
      Conditions.await(
          "the timer exits",
          Duration.ofSeconds(10),
          () -> Conditions.read(state().resolve("rollback.log")).contains("nothing to do"));
      assertThat(topology.portfwdRules("gateway")).contains("13102");
      assertThat(ipForward(topology)).isEqualTo("1");
      CommandResult request =
          topology.exec(
              "client", "socat", "-T", "5", "-", "TCP:" + Topology.GATEWAY_WAN + ":13102");
      assertThat(request.stdout()).contains("hello-from-backend");
      assertThat(state().resolve("pending.state")).doesNotExist();
    }
  }

  @Test
  void confirmFromAnotherShellKeepsTheRules() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path output = dir.resolve("apply.out");
      Process apply = startConfirmingApply(topology, 30, table("a.txt", TABLE_A), output);
      try {
        Conditions.await(
            "the prompt",
            Duration.ofSeconds(30),
            () -> Conditions.read(output).contains("Type 'yes'"));
        CommandResult confirm = portfwd(topology, "confirm");
        assertThat(confirm.exitCode()).as(confirm.stderr()).isZero();
        assertThat(confirm.stdout())
            .contains("confirmed: keeping 1 forward from " + dir.resolve("a.txt"));
        assertThat(apply.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(apply.exitValue()).as(Conditions.read(output)).isZero();
        assertThat(Conditions.read(output)).contains("confirmed from elsewhere");
      } finally {
        apply.destroyForcibly();
      }
      assertThat(topology.portfwdRules("gateway")).contains("13102");
      CommandResult again = portfwd(topology, "confirm");
      assertThat(again.exitCode()).isEqualTo(1);
      assertThat(again.stderr()).contains("nothing waits for confirmation");
    }
  }

  @Test
  void noConfirmationRollsBackToThePreviousRulesWithinTheTimeout() throws Exception {
    try (Topology topology = Topology.reference()) {
      CommandResult first = portfwd(topology, "apply", table("a.txt", TABLE_A).toString());
      assertThat(first.exitCode()).as(first.stderr()).isZero();
      String rulesA = topology.portfwdRules("gateway");

      long start = System.nanoTime();
      CommandResult second =
          portfwd(topology, "apply", "--confirm", "3", table("b.txt", TABLE_B).toString());
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(second.exitCode()).as(second.stdout() + second.stderr()).isEqualTo(1);
      assertThat(second.stdout()).contains("+ 13103/tcp");
      assertThat(second.stderr()).contains("rolled back");
      assertThat(took).isLessThan(Duration.ofSeconds(15));
      assertThat(topology.portfwdRules("gateway")).isEqualTo(rulesA);
      CommandResult status = portfwd(topology, "status");
      assertThat(status.stdout()).contains("live table: " + dir.resolve("a.txt"));
    }
  }

  @Test
  void killedSessionStillRollsBackAndRestoresForwarding() throws Exception {
    try (Topology topology = Topology.reference()) {
      assertThat(ipForward(topology)).isEqualTo("0");
      Path output = dir.resolve("apply.out");
      Process apply = startConfirmingApply(topology, 3, table("b.txt", TABLE_B), output);
      Conditions.await(
          "the prompt",
          Duration.ofSeconds(30),
          () -> Conditions.read(output).contains("Type 'yes'"));
      assertThat(topology.portfwdRules("gateway")).contains("13103");
      assertThat(ipForward(topology)).isEqualTo("1");

      // The SSH connection drops: the session's process group gets SIGHUP; then the process is
      // gone.
      long pid = apply.pid();
      assertThat(ignoresHangup(pid))
          .as("the foreground ignores SIGHUP while it waits (SigIgn of /proc/%d/status)", pid)
          .isTrue();
      new ProcessBuilder("kill", "-HUP", "--", "-" + pid).start().waitFor();
      assertThat(apply.waitFor(1, TimeUnit.SECONDS)).as("ended by the hangup").isFalse();
      apply.destroyForcibly();
      assertThat(apply.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long killedAt = System.nanoTime();

      // The timer logs once the whole restore is done: rules first, then the sysctls, so both are
      // asserted only after the log line (asserting the sysctl as soon as the table is gone races).
      Conditions.await(
          "the timer logs its rollback",
          Duration.ofSeconds(10),
          () -> Conditions.read(state().resolve("rollback.log")).contains("not confirmed"));
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(8));
      assertThat(topology.portfwdRules("gateway"))
          .as("portfwd's table is gone (the state before was empty)")
          .isEqualTo("(no portfwd table)");
      assertThat(ipForward(topology)).as("switched off again, as before the apply").isEqualTo("0");
      assertThat(state().resolve("pending.state")).doesNotExist();
    }
  }

  @Test
  void killedSessionRollsBackToTheRulesBefore() throws Exception {
    try (Topology topology = Topology.reference()) {
      assertThat(portfwd(topology, "apply", table("a.txt", TABLE_A).toString()).exitCode())
          .isZero();
      String rulesA = topology.portfwdRules("gateway");
      Path output = dir.resolve("apply.out");
      Process apply = startConfirmingApply(topology, 3, table("b.txt", TABLE_B), output);
      Conditions.await(
          "the prompt",
          Duration.ofSeconds(30),
          () -> Conditions.read(output).contains("Type 'yes'"));
      assertThat(topology.portfwdRules("gateway")).contains("13103").doesNotContain("13102");
      new ProcessBuilder("kill", "-KILL", "--", "-" + apply.pid()).start().waitFor();
      assertThat(apply.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Conditions.await(
          "the rules of a.txt are back",
          Duration.ofSeconds(10),
          () -> topology.portfwdRules("gateway").equals(rulesA));
      assertThat(ipForward(topology)).as("a.txt's apply switched it on; it stays").isEqualTo("1");
    }
  }

  @Test
  void rollbackRestoresThePreviousTableThenTheEmptyState() throws Exception {
    try (Topology topology = Topology.reference()) {
      assertThat(portfwd(topology, "apply", table("a.txt", TABLE_A).toString()).exitCode())
          .isZero();
      String rulesA = topology.portfwdRules("gateway");
      assertThat(portfwd(topology, "apply", table("b.txt", TABLE_B).toString()).exitCode())
          .isZero();
      assertThat(portfwd(topology, "status").stdout())
          .contains("live table: " + dir.resolve("b.txt"));

      CommandResult back = portfwd(topology, "rollback");
      assertThat(back.exitCode()).as(back.stderr()).isZero();
      assertThat(back.stdout()).contains("restored").contains("a.txt");
      assertThat(topology.portfwdRules("gateway")).isEqualTo(rulesA);
      assertThat(portfwd(topology, "status").stdout())
          .contains("live table: " + dir.resolve("a.txt"));

      CommandResult first = portfwd(topology, "rollback");
      assertThat(first.exitCode()).as(first.stderr()).isZero();
      assertThat(topology.portfwdRules("gateway")).isEqualTo("(no portfwd table)");
      assertThat(ipForward(topology)).isEqualTo("0");

      CommandResult none = portfwd(topology, "rollback");
      assertThat(none.exitCode()).isEqualTo(1);
      assertThat(none.stderr()).contains("nothing to roll back");
    }
  }

  @Test
  void statusSaysWhenTheLiveRulesDifferFromTheLastTable() throws Exception {
    try (Topology topology = Topology.reference()) {
      assertThat(portfwd(topology, "apply", table("a.txt", TABLE_A).toString()).exitCode())
          .isZero();
      topology.exec("gateway", "nft", "delete", "table", "inet", "portfwd");
      CommandResult status = portfwd(topology, "status");
      assertThat(status.stdout()).contains("rules differ from " + dir.resolve("a.txt"));
    }
  }

  @Test
  void terminalHangUpLeavesTheRollbackInPlace() throws Exception {
    try (Topology topology = Topology.reference()) {
      assertThat(portfwd(topology, "apply", table("a.txt", TABLE_A).toString()).exitCode())
          .isZero();
      String rulesA = topology.portfwdRules("gateway");
      // A real terminal: 'script' holds the pty master, as sshd does; killing it hangs the pty up,
      // and the kernel sends SIGHUP to the session on it, exactly what a dropped SSH connection
      // does.
      List<String> apply =
          new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
      apply.addAll(
          PortfwdJar.command(
              "apply",
              "--state-dir",
              state().toString(),
              "--confirm",
              "3",
              table("b.txt", TABLE_B).toString()));
      Path output = dir.resolve("terminal.out");
      Process terminal =
          new ProcessBuilder("script", "-qfec", String.join(" ", apply), "/dev/null")
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      try {
        Conditions.await(
            "the prompt on the terminal",
            Duration.ofSeconds(30),
            () -> Conditions.read(output).contains("Type 'yes'"));
        assertThat(topology.portfwdRules("gateway")).contains("13103");
        terminal.destroyForcibly(); // the SSH connection is gone
        assertThat(terminal.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Conditions.await(
            "the rules of a.txt are back",
            Duration.ofSeconds(10),
            () -> topology.portfwdRules("gateway").equals(rulesA));
        Conditions.await(
            "every portfwd process in the namespace ended",
            Duration.ofSeconds(15),
            () -> new String(readPids(topology)).isBlank());
      } finally {
        terminal.destroyForcibly();
      }
    }
  }

  /**
   * Applies a.txt, then b.txt with --confirm, and kills both the foreground and its timer, as a
   * reboot during the wait would; returns once status calls the confirmation overdue, with the
   * rules of a.txt.
   */
  private String leaveAnOverdueConfirmation(Topology topology) throws Exception {
    assertThat(portfwd(topology, "apply", table("a.txt", TABLE_A).toString()).exitCode()).isZero();
    String rulesA = topology.portfwdRules("gateway");
    Path output = dir.resolve("apply.out");
    Process apply = startConfirmingApply(topology, 4, table("b.txt", TABLE_B), output);
    Conditions.await(
        "the prompt", Duration.ofSeconds(30), () -> Conditions.read(output).contains("Type 'yes'"));
    try (var markers = Files.list(state())) {
      for (Path marker :
          markers.filter(p -> p.getFileName().toString().endsWith(".armed")).toList()) {
        ProcessHandle.of(Long.parseLong(Files.readString(marker).strip()))
            .ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    apply.destroyForcibly();
    assertThat(apply.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Conditions.await(
        "status says the timer did not run",
        OverdueConfirmation.GRACE.plusSeconds(30),
        () -> portfwd(topology, "status").stdout().contains("timer did not run"));
    assertThat(topology.portfwdRules("gateway")).contains("13103");
    return rulesA;
  }

  @Test
  void confirmationWhoseTimerDiedIsRolledBackByTheNextApply() throws Exception {
    try (Topology topology = Topology.reference()) {
      String rulesA = leaveAnOverdueConfirmation(topology);
      CommandResult next = portfwd(topology, "apply", table("c.txt", TABLE_B).toString());
      assertThat(next.exitCode()).isEqualTo(1);
      assertThat(next.stderr()).contains("never confirmed").contains("run it again");
      assertThat(topology.portfwdRules("gateway")).isEqualTo(rulesA);
      assertThat(portfwd(topology, "apply", table("c.txt", TABLE_B).toString()).exitCode())
          .isZero();
    }
  }

  @Test
  void confirmationWhoseTimerDiedIsRolledBackByRollback() throws Exception {
    try (Topology topology = Topology.reference()) {
      String rulesA = leaveAnOverdueConfirmation(topology);
      CommandResult rollback = portfwd(topology, "rollback");
      assertThat(rollback.exitCode()).as(rollback.stdout() + rollback.stderr()).isZero();
      assertThat(rollback.stdout()).contains("restored 1 forward from " + dir.resolve("a.txt"));
      assertThat(topology.portfwdRules("gateway")).isEqualTo(rulesA);
      assertThat(portfwd(topology, "status").stdout()).doesNotContain("timer did not run");
    }
  }

  @Test
  void confirmationWhoseTimerDiedIsRolledBackByWatchBeforeItAppliesItsTable() throws Exception {
    try (Topology topology = Topology.reference()) {
      leaveAnOverdueConfirmation(topology);
      Path log = dir.resolve("watch.log");
      List<String> argv =
          new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
      argv.addAll(
          PortfwdJar.command(
              "watch",
              "--no-control",
              "--state-dir",
              state().toString(),
              table("c.txt", "13105 " + Topology.BACKEND + " 80 tcp\n").toString()));
      Process watch =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        Conditions.await(
            "watch applies its table",
            Duration.ofSeconds(60),
            () -> topology.portfwdRules("gateway").contains("13105"));
        // Watch logs after the change: wait for the line rather than race it.
        Conditions.await(
            "watch says it rolled the overdue apply back",
            Duration.ofSeconds(30),
            () -> Conditions.read(log).contains("never confirmed"));
        assertThat(topology.portfwdRules("gateway")).doesNotContain("13103");
        assertThat(portfwd(topology, "status").stdout()).doesNotContain("timer did not run");
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
    }
  }

  /**
   * Whether process {@code pid} ignores SIGHUP: an ignored signal is discarded by the kernel, so
   * this decides what a sleep after the signal could only guess (a dying JVM takes its time).
   */
  private static boolean ignoresHangup(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseLong(line.substring("SigIgn:".length()).strip(), 16) & 1L) != 0;
      }
    }
    throw new AssertionError("no SigIgn in /proc/" + pid + "/status");
  }

  private static byte[] readPids(Topology topology) {
    try {
      Process pids =
          new ProcessBuilder("ip", "netns", "pids", topology.namespace("gateway")).start();
      byte[] out = pids.getInputStream().readAllBytes();
      pids.waitFor(5, TimeUnit.SECONDS);
      return out;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
