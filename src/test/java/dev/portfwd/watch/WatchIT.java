package dev.portfwd.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portfwd watch} end to end: the built jar runs as a daemon in the gateway namespace and
 * must repair a flushed ruleset, follow edits of the table, keep the rules on an invalid edit, and
 * exit cleanly on SIGTERM. Also measures its CPU time when idle.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WatchIT {

  private static final String TABLE_A = "13102 " + Topology.BACKEND + " 80 tcp # A\n";
  private static final String TABLE_B = "13103 " + Topology.BACKEND + " 8080 tcp # B\n";

  @TempDir Path dir;

  private Process startWatch(Topology topology, Path table, Path log, String... options)
      throws IOException {
    List<String> args =
        new ArrayList<>(List.of("watch", "--state-dir", dir.resolve("state").toString()));
    args.addAll(List.of(options));
    args.add(table.toString());
    List<String> argv = PortfwdJar.commandIn(topology, "gateway", args.toArray(String[]::new));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Replaces the file the way editors save: write a new file, rename it over the old one. */
  private static void save(Path table, String text) throws IOException {
    Path temp = table.resolveSibling("." + table.getFileName() + ".new");
    Files.writeString(temp, text);
    Files.move(temp, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void repairsDriftFollowsEditsKeepsRulesOnInvalidEditAndStopsOnSigterm() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path table = dir.resolve("ports.txt");
      Files.writeString(table, TABLE_A);
      Path log = dir.resolve("watch.log");
      Process watch = startWatch(topology, table, log, "--interval", "1");
      try {
        Conditions.await(
            "applied at start",
            Duration.ofSeconds(30),
            () -> topology.portfwdRules("gateway").contains("13102"));
        Conditions.await(
            "watching", Duration.ofSeconds(10), () -> Conditions.read(log).contains("watching"));

        topology.exec("gateway", "nft", "flush", "ruleset");
        long flushed = System.nanoTime();
        Conditions.await(
            "back after 'nft flush ruleset'",
            Duration.ofSeconds(10),
            () -> topology.portfwdRules("gateway").contains("13102"));
        Duration repair = Duration.ofNanos(System.nanoTime() - flushed);
        assertThat(repair).isLessThan(Duration.ofSeconds(4));
        Conditions.await(
            "the repair is logged",
            Duration.ofSeconds(5),
            () -> Conditions.read(log).contains("drifted"));

        topology.exec("gateway", "nft", "delete", "table", "inet", "portfwd");
        Conditions.await(
            "back after the table was deleted",
            Duration.ofSeconds(10),
            () -> topology.portfwdRules("gateway").contains("13102"));

        save(table, TABLE_B);
        Conditions.await(
            "the edit is applied",
            Duration.ofSeconds(10),
            () ->
                topology.portfwdRules("gateway").contains("13103")
                    && !topology.portfwdRules("gateway").contains("13102"));
        Conditions.await(
            "the edit is logged",
            Duration.ofSeconds(5),
            () -> Conditions.read(log).contains("changed; applied it"));

        String rulesB = topology.portfwdRules("gateway");
        save(table, TABLE_B + "13104 192.0.2.300 80\n");
        Conditions.await(
            "the invalid edit is reported",
            Duration.ofSeconds(10),
            () -> Conditions.read(log).contains("the rules in force stay"));
        assertThat(Conditions.read(log)).contains("ports.txt:2:");
        assertThat(topology.portfwdRules("gateway")).isEqualTo(rulesB);

        topology.exec("gateway", "nft", "flush", "ruleset");
        Conditions.await(
            "drift after an invalid edit is repaired to the last valid table",
            Duration.ofSeconds(10),
            () -> topology.portfwdRules("gateway").contains("13103"));

        watch.destroy(); // SIGTERM
        assertThat(watch.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(watch.exitValue()).as(Conditions.read(log)).isZero();
        assertThat(Conditions.read(log)).contains("stopped; the rules in force stay");
        assertThat(topology.portfwdRules("gateway")).contains("13103");
      } finally {
        watch.destroyForcibly();
      }
      System.out.println("watch log:\n" + Conditions.read(log));
    }
  }

  private CommandResult portfwdDirect(Topology topology, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(1, List.of("--direct", "--state-dir", dir.resolve("state").toString()));
    return PortfwdJar.runIn(topology, "gateway", all.toArray(String[]::new));
  }

  @Test
  void staysOutOfTheWayWhileAConfirmationWaitsAndPutsItsTableBackAfterARollback() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path table = dir.resolve("ports.txt");
      Files.writeString(table, TABLE_A);
      Path log = dir.resolve("watch.log");
      // Full checks every 2 s: element changes are seen by those, not by the chains probe.
      Process watch = startWatch(topology, table, log, "--interval", "1", "--full-interval", "2");
      Process confirming = null;
      try {
        Conditions.await(
            "watching", Duration.ofSeconds(30), () -> Conditions.read(log).contains("watching"));
        assertThat(topology.portfwdRules("gateway")).contains("13102");

        // Another table with --confirm, its prompt left waiting (standard input stays open).
        Path other = dir.resolve("other.txt");
        Files.writeString(other, TABLE_B);
        Path output = dir.resolve("confirm.out");
        List<String> argv =
            PortfwdJar.commandIn(
                topology,
                "gateway",
                "apply",
                "--direct",
                "--state-dir",
                dir.resolve("state").toString(),
                "--confirm",
                "120",
                other.toString());
        confirming =
            new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        Process prompt = confirming;
        Conditions.await(
            "the confirmation prompt",
            Duration.ofSeconds(60),
            () -> Conditions.read(output).contains("Type 'yes'") || !prompt.isAlive());
        assertThat(Conditions.read(output)).contains("Type 'yes'");
        Conditions.await(
            "watch says it leaves the waiting apply alone",
            Duration.ofSeconds(30),
            () -> Conditions.read(log).contains("waits for confirmation"));
        assertThat(topology.portfwdRules("gateway"))
            .as("the rules of the waiting apply, not repaired")
            .contains("13103")
            .doesNotContain("13102");

        // rollback undoes the waiting apply; watch then holds its own table again.
        CommandResult rollback = portfwdDirect(topology, "rollback");
        assertThat(rollback.exitCode()).as(rollback.stdout() + rollback.stderr()).isZero();
        assertThat(confirming.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Conditions.await(
            "the watched table is live again",
            Duration.ofSeconds(30),
            () -> topology.portfwdRules("gateway").contains("13102"));

        // A rollback of the watch's own edit: the file is the truth, watch re-applies it.
        save(table, TABLE_A + "13104 " + Topology.BACKEND + " 80 tcp # C\n");
        Conditions.await(
            "the edit is applied",
            Duration.ofSeconds(30),
            () -> topology.portfwdRules("gateway").contains("13104"));
        CommandResult back = portfwdDirect(topology, "rollback");
        assertThat(back.exitCode()).as(back.stdout() + back.stderr()).isZero();
        // watch logs once its apply has returned; the kernel may show the rules a moment before.
        Conditions.await(
            "watch re-applies the file after the rollback",
            Duration.ofSeconds(30),
            () ->
                Conditions.read(log).contains("re-applied")
                    && topology.portfwdRules("gateway").contains("13104"));
      } finally {
        if (confirming != null) {
          confirming.destroyForcibly();
        }
        watch.destroyForcibly();
      }
    }
  }

  /**
   * Ctrl-C in a terminal sends SIGINT to the whole foreground process group: watch (started here in
   * a session of its own) must stop as on SIGTERM, with exit 0 and the rules in force, and leave
   * neither its control socket nor its state lock behind, so the next command runs at once.
   */
  @Test
  void ctrlCStopsWithExitZeroKeepsTheRulesAndFreesTheLockAndTheControlSocket() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path table = dir.resolve("ports.txt");
      Files.writeString(table, TABLE_A);
      Path log = dir.resolve("watch.log");
      Path socket = dir.resolve("control").resolve("portfwd.sock");
      // A job started in the background by a shell without job control (CI runners, nohup-like
      // wrappers) inherits SIGINT ignored, and the JVM keeps an ignored SIGINT ignored: give watch
      // the terminal's default disposition, as an interactive shell would.
      List<String> argv =
          new ArrayList<>(
              List.of(
                  "setsid",
                  "env",
                  "--default-signal=INT",
                  "ip",
                  "netns",
                  "exec",
                  topology.namespace("gateway")));
      argv.addAll(
          PortfwdJar.command(
              "watch",
              "--control",
              socket.toString(),
              "--state-dir",
              dir.resolve("state").toString(),
              table.toString()));
      Process watch =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        Conditions.await(
            "watching, with its control socket",
            Duration.ofSeconds(60),
            () -> Conditions.read(log).contains("watching") && Files.exists(socket));
        assertThat(topology.portfwdRules("gateway")).contains("13102");
        // setsid ran watch's JVM as the leader of a new process group: Ctrl-C's signal to it.
        CommandResult interrupt =
            new ProcessCommandRunner().run(List.of("kill", "-s", "INT", "--", "-" + watch.pid()));
        assertThat(interrupt.exitCode()).as(interrupt.stderr()).isZero();
        assertThat(watch.waitFor(30, TimeUnit.SECONDS)).as(Conditions.read(log)).isTrue();
        assertThat(watch.exitValue()).as(Conditions.read(log)).isZero();
      } finally {
        watch.destroyForcibly();
      }
      assertThat(Conditions.read(log)).contains("stopped; the rules in force stay");
      assertThat(topology.portfwdRules("gateway")).contains("13102");
      assertThat(socket).as("the control socket is gone").doesNotExist();
      // The state lock is free: a command waits for a held one (30 s), then gives up.
      long start = System.nanoTime();
      Path tableB = dir.resolve("b.txt");
      Files.writeString(tableB, TABLE_B);
      CommandResult apply = portfwdDirect(topology, "apply", tableB.toString());
      assertThat(apply.exitCode()).as(apply.stdout() + apply.stderr()).isZero();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
      assertThat(topology.portfwdRules("gateway")).contains("13103");
    }
  }

  @Test
  void exitsTwoOnAnInvalidTableAtStartAndChangesNothing() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path table = dir.resolve("ports.txt");
      // A protocol no table takes (a word in the backend column is a host name now).
      Files.writeString(table, TABLE_A + "13104 192.0.2.4 80 tpc\n");
      CommandResult watch =
          PortfwdJar.runIn(
              topology,
              "gateway",
              "watch",
              "--no-control",
              "--state-dir",
              dir.resolve("state").toString(),
              table.toString());
      assertThat(watch.exitCode()).as(watch.stdout() + watch.stderr()).isEqualTo(2);
      assertThat(watch.stdout() + watch.stderr()).contains("ports.txt:2:");
      assertThat(topology.portfwdRules("gateway")).isEqualTo("(no portfwd table)");
      // The unit does not restart on that exit: the table must be fixed first.
      assertThat(Files.readAllLines(Path.of("packaging/systemd/portfwd.service")))
          .contains("RestartPreventExitStatus=2");
    }
  }

  @Test
  void aWatchOfATableWithoutNamesNeverLoadsTheDnsClient() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path table = dir.resolve("ports.txt");
      Files.writeString(table, TABLE_A);
      Path log = dir.resolve("watch.log");
      Path classes = dir.resolve("classes.log");
      List<String> argv =
          PortfwdJar.commandIn(
              topology,
              "gateway",
              "watch",
              "--no-control",
              "--state-dir",
              dir.resolve("state").toString(),
              table.toString());
      ProcessBuilder builder =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("JAVA_TOOL_OPTIONS", "-Xlog:class+load:file=" + classes);
      Process watch = builder.start();
      try {
        Conditions.await(
            "watching", Duration.ofSeconds(30), () -> Conditions.read(log).contains("watching"));
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
      String loaded = Conditions.read(classes);
      assertThat(loaded).contains("dev.portfwd.pool.BackendMonitor");
      assertThat(loaded).doesNotContain("io.netty.resolver").doesNotContain("codec.dns");
    }
  }

  @Test
  void idleWatchUsesAlmostNoCpu() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path table = dir.resolve("ports.txt");
      Files.writeString(table, TABLE_A);
      Path log = dir.resolve("watch.log");
      Process watch = startWatch(topology, table, log); // the default interval, as systemd runs it
      try {
        Conditions.await(
            "watching", Duration.ofSeconds(30), () -> Conditions.read(log).contains("watching"));
        // Start-up JIT work is not idle time: measure once a whole second passed without CPU.
        long[] last = {cpuTicks(watch.pid())};
        Conditions.await(
            "the watch settles (no CPU for a second)",
            Duration.ofSeconds(60),
            () -> {
              try {
                Thread.sleep(1000);
                long now = cpuTicks(watch.pid());
                boolean settled = now == last[0];
                last[0] = now;
                return settled;
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
        long before = cpuTicks(watch.pid());
        Thread.sleep(20_000);
        long after = cpuTicks(watch.pid());
        double seconds = (after - before) / 100.0; // USER_HZ is 100 on Linux
        String measured =
            String.format(
                "idle watch: %.2f s CPU in 20 s (%.1f%%), nft children included",
                seconds, seconds / 20 * 100);
        System.out.println(measured);
        Files.writeString(Path.of("target", "watch-idle-cpu.txt"), measured + "\n");
        assertThat(seconds).as(measured).isLessThan(1.0);
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
    }
  }

  /** utime + stime + cutime + cstime of {@code pid}, in clock ticks. */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // After "pid (comm) ", field 3 (state) is index 0; utime is field 14, so index 11.
    return Long.parseLong(fields[11])
        + Long.parseLong(fields[12])
        + Long.parseLong(fields[13])
        + Long.parseLong(fields[14]);
  }
}
