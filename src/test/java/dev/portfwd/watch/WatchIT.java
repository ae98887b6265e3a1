package dev.portfwd.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portfwd watch} end to end: the built jar runs as a daemon in the gateway namespace and
 * must repair a flushed ruleset, follow edits of the table, keep the rules on an invalid edit, and
 * exit cleanly on SIGTERM. Also measures its CPU time when idle.
 */
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
    List<String> argv =
        new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
    argv.addAll(PortfwdJar.command(args.toArray(String[]::new)));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String rules(Topology topology) {
    CommandResult list = topology.exec("gateway", "nft", "list", "table", "inet", "portfwd");
    return list.succeeded() ? list.stdout() : "(no portfwd table)";
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
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
        await("applied at start", Duration.ofSeconds(30), () -> rules(topology).contains("13102"));
        await("watching", Duration.ofSeconds(10), () -> read(log).contains("watching"));

        topology.exec("gateway", "nft", "flush", "ruleset");
        long flushed = System.nanoTime();
        await(
            "back after 'nft flush ruleset'",
            Duration.ofSeconds(10),
            () -> rules(topology).contains("13102"));
        Duration repair = Duration.ofNanos(System.nanoTime() - flushed);
        assertThat(repair).isLessThan(Duration.ofSeconds(4));
        await("the repair is logged", Duration.ofSeconds(5), () -> read(log).contains("drifted"));

        topology.exec("gateway", "nft", "delete", "table", "inet", "portfwd");
        await(
            "back after the table was deleted",
            Duration.ofSeconds(10),
            () -> rules(topology).contains("13102"));

        save(table, TABLE_B);
        await(
            "the edit is applied",
            Duration.ofSeconds(10),
            () -> rules(topology).contains("13103") && !rules(topology).contains("13102"));
        await(
            "the edit is logged",
            Duration.ofSeconds(5),
            () -> read(log).contains("changed; applied it"));

        String rulesB = rules(topology);
        save(table, TABLE_B + "13104 not-an-address 80\n");
        await(
            "the invalid edit is reported",
            Duration.ofSeconds(10),
            () -> read(log).contains("the rules in force stay"));
        assertThat(read(log)).contains("ports.txt:2:");
        Thread.sleep(
            2500); // two drift checks: they repair towards the last valid table, i.e. nothing
        assertThat(rules(topology)).isEqualTo(rulesB);

        topology.exec("gateway", "nft", "flush", "ruleset");
        await(
            "drift after an invalid edit is repaired to the last valid table",
            Duration.ofSeconds(10),
            () -> rules(topology).contains("13103"));

        watch.destroy(); // SIGTERM
        assertThat(watch.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(watch.exitValue()).as(read(log)).isZero();
        assertThat(read(log)).contains("stopped; the rules in force stay");
        assertThat(rules(topology)).contains("13103");
      } finally {
        watch.destroyForcibly();
      }
      System.out.println("watch log:\n" + read(log));
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
        await("watching", Duration.ofSeconds(30), () -> read(log).contains("watching"));
        Thread.sleep(3000); // start-up JIT work is not idle time
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
