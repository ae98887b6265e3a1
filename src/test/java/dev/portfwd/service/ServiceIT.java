package dev.portfwd.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service end to end: {@code watch} with a control socket in the gateway namespace of the
 * reference topology, and the CLI run through it. The same commands must give the same output and
 * exit codes as the one-shot path; a service killed mid-request leaves old or new rules; bad
 * clients do not stop good ones.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServiceIT {

  private static final String TABLE_A = "13102 " + Topology.BACKEND + " 80 tcp # A\n";
  private static final String TABLE_B = TABLE_A + "13103 " + Topology.BACKEND + " 8080 tcp # B\n";
  private static final String TABLE_C = "13104 " + Topology.BACKEND + " 80 udp # C\n";
  private static final Pattern NEW_PORT = Pattern.compile("tcp \\. [23]\\d{4} ");
  private static final Pattern TIME =
      Pattern.compile("\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z?( UTC)?");

  @TempDir Path dir;

  /** What one command printed. */
  record Run(int exit, String stdout, String stderr) {}

  /** Runs portfwd in the gateway namespace, in {@code cwd}, with {@code stdin}. */
  private static Run portfwd(Topology topology, Path cwd, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
    argv.addAll(PortfwdJar.command(args));
    Path out = Files.createTempFile(cwd, "out", ".txt");
    Path err = Files.createTempFile(cwd, "err", ".txt");
    Process process =
        new ProcessBuilder(argv)
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The command did not read its input.
    }
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS))
          .as("portfwd %s ended", Arrays.toString(args))
          .isTrue();
    } finally {
      process.destroyForcibly();
    }
    Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return run;
  }

  private static Process startWatch(Topology topology, Path cwd, String... options)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "watch",
                "--state-dir",
                "state",
                "--interval",
                "3600",
                "--full-interval",
                "3600",
                "--debounce",
                "60000"));
    args.addAll(List.of(options));
    args.add("t.txt");
    List<String> argv =
        new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
    argv.addAll(PortfwdJar.command(args.toArray(String[]::new)));
    return new ProcessBuilder(argv)
        .directory(cwd.toFile())
        .redirectErrorStream(true)
        .redirectOutput(cwd.resolve("watch.log").toFile())
        .start();
  }

  /** The same steps on one path; the outputs with the directory and times made neutral. */
  private static List<Run> steps(Topology topology, Path cwd, String... pathOptions)
      throws Exception {
    List<Run> runs = new ArrayList<>();
    Files.writeString(cwd.resolve("t.txt"), TABLE_A);
    runs.add(portfwd(topology, cwd, "", with("plan", pathOptions, "t.txt")));
    Files.writeString(cwd.resolve("t.txt"), TABLE_B);
    runs.add(portfwd(topology, cwd, "", with("apply", pathOptions, "t.txt")));
    runs.add(portfwd(topology, cwd, "", with("status", pathOptions)));
    Files.writeString(cwd.resolve("t.txt"), TABLE_C);
    runs.add(
        portfwd(topology, cwd, "yes\n", with("apply", pathOptions, "--confirm", "30", "t.txt")));
    runs.add(portfwd(topology, cwd, "", with("confirm", pathOptions)));
    runs.add(portfwd(topology, cwd, "", with("rollback", pathOptions)));
    runs.add(portfwd(topology, cwd, "", with("status", pathOptions, "--json")));
    runs.add(portfwd(topology, cwd, "", with("remove", pathOptions)));
    runs.add(portfwd(topology, cwd, "", with("rollback", pathOptions)));
    // A rollback in the service also writes the restored table into the file it watches (so its
    // next check keeps it); the direct one leaves the file. Both paths apply the same text next
    // (watch's long debounce keeps it from reading either).
    String watched = Files.readString(cwd.resolve("t.txt"));
    if (pathOptions[0].equals("--direct")) {
      assertThat(watched).isEqualTo(TABLE_C);
    } else {
      assertThat(watched)
          .contains("13103 " + Topology.BACKEND + " 8080 tcp # B")
          .doesNotContain("13104");
    }
    Files.writeString(cwd.resolve("t.txt"), TABLE_C);
    runs.add(
        portfwd(topology, cwd, "", with("apply", pathOptions, "--backend", "nftables", "t.txt")));
    // A rollback that is not confirmed ('no' at its prompt) returns to the state before it: the
    // kernel holds what it held, and the watched file says so.
    String beforeRollback = topology.portfwdRules("gateway");
    runs.add(portfwd(topology, cwd, "no\n", with("rollback", pathOptions, "--confirm", "30")));
    assertThat(topology.portfwdRules("gateway")).isEqualTo(beforeRollback);
    assertThat(Files.readString(cwd.resolve("t.txt"))).isEqualTo(TABLE_C);
    runs.add(portfwd(topology, cwd, "", with("plan", pathOptions, "missing.txt")));
    String neutral = cwd.toString();
    return runs.stream()
        .map(r -> new Run(r.exit(), neutral(r.stdout(), neutral), neutral(r.stderr(), neutral)))
        .toList();
  }

  private static String[] with(String command, String[] pathOptions, String... rest) {
    List<String> args = new ArrayList<>(List.of(command, "--state-dir", "state"));
    args.addAll(List.of(pathOptions));
    args.addAll(List.of(rest));
    return args.toArray(String[]::new);
  }

  private static String neutral(String text, String dir) {
    return TIME.matcher(text.replace(dir, "DIR")).replaceAll("TIME");
  }

  @Test
  void theCommandsGiveTheSameOutputAndExitCodesThroughTheServiceAsDirect() throws Exception {
    Path served = Files.createDirectories(dir.resolve("served"));
    Path direct = Files.createDirectories(dir.resolve("direct"));
    List<Run> throughService;
    List<Run> oneShot;
    try (Topology topology = Topology.reference()) {
      Files.writeString(served.resolve("t.txt"), TABLE_A);
      Process watch = startWatch(topology, served, "--control", "c.sock");
      try {
        Conditions.await(
            "the service listens",
            Duration.ofSeconds(30),
            () -> Conditions.read(served.resolve("watch.log")).contains("watching"));
        throughService = steps(topology, served, "--control", "c.sock");
        assertThat(Conditions.read(served.resolve("watch.log")))
            .contains("ran 'apply' for a client: exit 0")
            .contains("ran 'rollback' for a client");
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
      }
    }
    try (Topology topology = Topology.reference()) {
      Files.writeString(direct.resolve("t.txt"), TABLE_A);
      Process watch = startWatch(topology, direct, "--no-control");
      try {
        Conditions.await(
            "the watch applied",
            Duration.ofSeconds(30),
            () -> Conditions.read(direct.resolve("watch.log")).contains("watching"));
        oneShot = steps(topology, direct, "--direct");
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
      }
    }
    assertThat(throughService).hasSameSizeAs(oneShot);
    for (int i = 0; i < oneShot.size(); i++) {
      assertThat(throughService.get(i)).as("step %d", i).isEqualTo(oneShot.get(i));
    }
    assertThat(oneShot.get(1).stdout()).contains("+ 13103/tcp");
    assertThat(oneShot.get(3).stdout()).contains("confirmed: keeping");
    assertThat(oneShot.get(4).exit()).isEqualTo(1);
    assertThat(oneShot.get(10).exit()).isEqualTo(1);
    assertThat(oneShot.get(10).stdout()).contains("rolled back to state").contains("Type 'yes'");
    assertThat(oneShot.get(10).stderr()).contains("rolled back as asked");
    assertThat(oneShot.get(11).exit()).isEqualTo(1);
    assertThat(oneShot.get(11).stderr()).contains("missing.txt");
  }

  @Test
  void anotherTableIsRefusedWhileTheServiceKeepsItsOwnApplied() throws Exception {
    try (Topology topology = Topology.reference()) {
      Files.writeString(dir.resolve("t.txt"), TABLE_A);
      Files.writeString(dir.resolve("other.txt"), TABLE_C);
      Process watch = startWatch(topology, dir, "--control", "c.sock");
      try {
        Conditions.await(
            "the service listens",
            Duration.ofSeconds(30),
            () -> Conditions.read(dir.resolve("watch.log")).contains("watching"));
        String before = topology.portfwdRules("gateway");
        Run other =
            portfwd(
                topology,
                dir,
                "",
                "apply",
                "--state-dir",
                "state",
                "--control",
                "c.sock",
                "other.txt");
        assertThat(other.exit()).isEqualTo(1);
        assertThat(other.stderr())
            .contains("keeps " + dir.resolve("t.txt") + " applied")
            .contains("nothing was changed");
        assertThat(topology.portfwdRules("gateway")).isEqualTo(before);
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aServiceKilledDuringAnApplyLeavesTheOldOrTheNewRulesAndTheClientSaysSo() throws Exception {
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      big.append(20_000 + i).append(' ').append(Topology.BACKEND).append(" 80 tcp\n");
    }
    int cutShort = 0;
    List<String> rounds = new ArrayList<>();
    try (Topology topology = Topology.reference()) {
      // The client's JVM starts in about 0.3 s and the service needs about a second for 20,000
      // forwards: most of these kills land while the service works on the request.
      for (long delay : new long[] {500, 700, 900, 1100, 1300}) {
        Files.writeString(dir.resolve("t.txt"), TABLE_A);
        Process watch = startWatch(topology, dir, "--control", "c.sock");
        try {
          Conditions.await(
              "the service listens",
              Duration.ofSeconds(30),
              () -> Conditions.read(dir.resolve("watch.log")).contains("watching"));
          String before = topology.portfwdRules("gateway");
          Files.writeString(dir.resolve("t.txt"), big);
          List<String> argv =
              new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
          argv.addAll(
              PortfwdJar.command("apply", "--state-dir", "state", "--control", "c.sock", "t.txt"));
          Path err = dir.resolve("apply.err");
          Process apply =
              new ProcessBuilder(argv).directory(dir.toFile()).redirectError(err.toFile()).start();
          Thread.sleep(delay);
          watch.destroyForcibly();
          assertThat(apply.waitFor(60, TimeUnit.SECONDS)).isTrue();
          String after = topology.portfwdRules("gateway");
          long forwards = NEW_PORT.matcher(after).results().count();
          rounds.add(delay + " ms: exit " + apply.exitValue() + ", " + forwards + " new forwards");
          if (Conditions.read(err).contains("service ended during the request")) {
            cutShort++;
            assertThat(apply.exitValue()).isEqualTo(1);
            assertThat(Conditions.read(err)).contains("old or the new rules");
          } else {
            assertThat(apply.exitValue()).as(Conditions.read(err)).isZero();
          }
          assertThat(after.equals(before) || forwards == 20_000)
              .as("delay %d: old rules or all 20,000 new ones, found %d", delay, forwards)
              .isTrue();
          topology.exec("gateway", "nft", "delete", "table", "inet", "portfwd");
        } finally {
          watch.destroyForcibly();
          watch.waitFor(20, TimeUnit.SECONDS);
          // A service killed mid-apply leaves its script file (named by its pid) in /run.
          try (var scripts =
              Files.newDirectoryStream(Path.of("/run"), "portfwd-" + watch.pid() + "-*")) {
            for (Path script : scripts) {
              Files.deleteIfExists(script);
            }
          }
        }
      }
    }
    assertThat(cutShort)
        .as("rounds in which the kill landed during the request: %s", rounds)
        .isPositive();
  }

  @Test
  void garbageAHugeLineAndAStalledClientDoNotStopTheCliBeingServed() throws Exception {
    try (Topology topology = Topology.reference()) {
      Files.writeString(dir.resolve("t.txt"), TABLE_A);
      Process watch = startWatch(topology, dir, "--control", "c.sock");
      try {
        Conditions.await(
            "the service listens",
            Duration.ofSeconds(30),
            () -> Conditions.read(dir.resolve("watch.log")).contains("watching"));
        Path socket = dir.resolve("c.sock");
        try (SocketChannel garbage = connect(socket);
            SocketChannel huge = connect(socket);
            SocketChannel stalled = connect(socket)) {
          garbage.write(
              ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
          byte[] chunk = new byte[1 << 16];
          Arrays.fill(chunk, (byte) 'x');
          try {
            for (int i = 0; i < 160; i++) { // 10 MiB without a newline
              huge.write(ByteBuffer.wrap(chunk));
            }
          } catch (IOException e) {
            // Dropped by the service once the line was too long.
          }
          stalled.write(ByteBuffer.wrap("{\"portfwd\":1".getBytes(StandardCharsets.US_ASCII)));
          Run status =
              portfwd(topology, dir, "", "status", "--state-dir", "state", "--control", "c.sock");
          assertThat(status.exit()).as(status.stderr()).isZero();
          assertThat(status.stdout()).contains("13102/tcp");
          assertThat(Conditions.read(dir.resolve("watch.log")))
              .contains("ran 'status' for a client: exit 0");
        }
        assertThat(watch.isAlive()).isTrue();
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void statusSharesTheServicesRecentReadSaysHowOldAndFreshReadsNow() throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      Files.writeString(dir.resolve("t.txt"), TABLE_A);
      // A read stays good for a minute here, so the test does not depend on how fast this
      // machine starts the client.
      Process watch = startWatch(topology, dir, "--control", "c.sock", "--status-max-age", "60");
      try {
        Conditions.await(
            "the service listens",
            Duration.ofSeconds(30),
            () -> Conditions.read(dir.resolve("watch.log")).contains("watching"));
        String[] status = {"status", "--state-dir", "state", "--control", "c.sock"};
        Run first = portfwd(topology, dir, "", status);
        assertThat(first.exit()).as(first.stderr()).isZero();
        assertThat(first.stdout()).doesNotContain("counters as the service read them");
        assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102)).startsWith("web ");

        Run shared = portfwd(topology, dir, "", status);
        assertThat(shared.stdout())
            .as("the first read, with its age")
            .contains("counters as the service read them")
            .containsPattern("13102/tcp +" + Pattern.quote(Topology.BACKEND) + ":80 +0 +0 ");
        Run json =
            portfwd(
                topology, dir, "", with("status", new String[] {"--control", "c.sock"}, "--json"));
        assertThat(json.stdout()).contains("\"readAt\"").contains("\"packets\" : 0");

        Run fresh =
            portfwd(
                topology, dir, "", with("status", new String[] {"--control", "c.sock"}, "--fresh"));
        assertThat(fresh.stdout())
            .doesNotContain("counters as the service read them")
            .containsPattern("13102/tcp +" + Pattern.quote(Topology.BACKEND) + ":80 +[1-9]");

        // An apply changes the forwards: the next status reads them, whatever its age allows.
        Files.writeString(dir.resolve("t.txt"), TABLE_B);
        Run apply =
            portfwd(
                topology, dir, "", with("apply", new String[] {"--control", "c.sock"}, "t.txt"));
        assertThat(apply.exit()).as(apply.stderr()).isZero();
        Run afterApply = portfwd(topology, dir, "", status);
        assertThat(afterApply.stdout())
            .contains("13103/tcp")
            .doesNotContain("counters as the service read them");
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private static SocketChannel connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    return channel;
  }
}
