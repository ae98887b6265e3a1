package dev.portfwd.engine;

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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's one lock, end to end: the built jar in the gateway namespace of the reference
 * topology, against the real kernel, with a state directory of the test's own. Two changes never
 * mix, and {@code remove} and {@code rollback} respect an {@code apply --confirm} that waits.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EngineIT {

  private static final String TABLE_A =
      "1000 " + Topology.BACKEND + " 80 tcp # A\n" + "1001 " + Topology.BACKEND + " 80 tcp # A\n";
  private static final String TABLE_B =
      "1000 " + Topology.BACKEND + " 80 tcp # B\n" + "1002 " + Topology.BACKEND + " 80 tcp # B\n";
  private static final Pattern TCP_PORT = Pattern.compile("tcp \\. (100\\d)\\b");

  @TempDir Path dir;

  private Path state() {
    return dir.resolve("state");
  }

  private Path table(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private List<String> command(Topology topology, String... args) {
    List<String> portfwd = new ArrayList<>(List.of(args));
    portfwd.addAll(1, List.of("--state-dir", state().toString()));
    return PortfwdJar.commandIn(topology, "gateway", portfwd.toArray(String[]::new));
  }

  private CommandResult portfwd(Topology topology, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(1, List.of("--state-dir", state().toString()));
    return PortfwdJar.runIn(topology, "gateway", all.toArray(String[]::new));
  }

  /** The external TCP ports (1000-1009) portfwd's maps hold in the kernel. */
  private static Set<String> livePorts(Topology topology) {
    Set<String> ports = new TreeSet<>();
    Matcher matcher = TCP_PORT.matcher(topology.portfwdRules("gateway"));
    while (matcher.find()) {
      ports.add(matcher.group(1));
    }
    return ports;
  }

  @Test
  void twoAppliesStartedTogetherLeaveExactlyOneTableLiveAndRecorded() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path a = table("a.txt", TABLE_A);
      Path b = table("b.txt", TABLE_B);
      for (int round = 0; round < 20; round++) {
        // Alternate which one is started first, so each wins some rounds.
        Path first = round % 2 == 0 ? a : b;
        Path second = round % 2 == 0 ? b : a;
        Path out1 = dir.resolve("first.out");
        Path out2 = dir.resolve("second.out");
        Process one =
            new ProcessBuilder(command(topology, "apply", first.toString()))
                .redirectErrorStream(true)
                .redirectOutput(out1.toFile())
                .start();
        Process two =
            new ProcessBuilder(command(topology, "apply", second.toString()))
                .redirectErrorStream(true)
                .redirectOutput(out2.toFile())
                .start();
        try {
          assertThat(one.waitFor(60, TimeUnit.SECONDS)).isTrue();
          assertThat(two.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
          one.destroyForcibly();
          two.destroyForcibly();
        }
        assertThat(one.exitValue()).as("round %d: %s", round, Conditions.read(out1)).isZero();
        assertThat(two.exitValue()).as("round %d: %s", round, Conditions.read(out2)).isZero();

        Set<String> live = livePorts(topology);
        assertThat(live)
            .as("round %d: the kernel holds exactly one of the two tables", round)
            .isIn(Set.of("1000", "1001"), Set.of("1000", "1002"));
        Path liveTable = live.contains("1001") ? a : b;
        CommandResult status = portfwd(topology, "status");
        assertThat(status.stdout())
            .as("round %d: the history records what is live", round)
            .contains("live table: " + liveTable + " (applied");
        CommandResult plan = portfwd(topology, "plan", liveTable.toString());
        assertThat(plan.exitCode()).as(plan.stderr()).isZero();
        assertThat(plan.stdout()).as("round %d", round).contains("no changes");
        CommandResult reread = portfwd(topology, "plan", "--reread", liveTable.toString());
        assertThat(reread.stdout())
            .as("round %d, read from the kernel", round)
            .contains("no changes");
      }
    }
  }

  @Test
  void removeIsRefusedWhileAnApplyWaitsAndRollbackUndoesTheWaitingApply() throws Exception {
    try (Topology topology = Topology.reference()) {
      assertThat(portfwd(topology, "apply", table("a.txt", TABLE_A).toString()).exitCode())
          .isZero();
      String rulesA = topology.portfwdRules("gateway");
      Path output = dir.resolve("apply.out");
      List<String> argv = new ArrayList<>(List.of("setsid"));
      argv.addAll(
          command(topology, "apply", "--confirm", "60", table("b.txt", TABLE_B).toString()));
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
        assertThat(livePorts(topology)).containsExactly("1000", "1002");

        CommandResult remove = portfwd(topology, "remove");
        assertThat(remove.exitCode()).as(remove.stdout()).isEqualTo(1);
        assertThat(remove.stderr())
            .contains("waits for confirmation")
            .contains("'portfwd confirm'")
            .contains("'portfwd rollback'")
            .contains("nothing was changed");
        assertThat(livePorts(topology))
            .as("remove changed nothing")
            .containsExactly("1000", "1002");
        assertThat(state().resolve("pending.state")).exists();

        CommandResult rollback = portfwd(topology, "rollback");
        assertThat(rollback.exitCode()).as(rollback.stderr()).isZero();
        assertThat(rollback.stdout()).contains("restored").contains("a.txt");
        assertThat(apply.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(apply.exitValue()).as(Conditions.read(output)).isEqualTo(1);
        assertThat(Conditions.read(output)).contains("rolled back");
      } finally {
        apply.destroyForcibly();
      }
      assertThat(topology.portfwdRules("gateway")).isEqualTo(rulesA);
      Conditions.await(
          "the timer stands down",
          Duration.ofSeconds(10),
          () -> Conditions.read(state().resolve("rollback.log")).contains("nothing to do"));
      assertThat(topology.portfwdRules("gateway"))
          .as("the timer restored nothing behind the admin's back")
          .isEqualTo(rulesA);
      assertThat(state().resolve("pending.state")).doesNotExist();
    }
  }

  @Test
  void rollbackAfterRemoveBringsTheForwardsBack() throws Exception {
    try (Topology topology = Topology.reference()) {
      assertThat(portfwd(topology, "apply", table("a.txt", TABLE_A).toString()).exitCode())
          .isZero();
      String rulesA = topology.portfwdRules("gateway");

      CommandResult remove = portfwd(topology, "remove");
      assertThat(remove.exitCode()).as(remove.stderr()).isZero();
      assertThat(remove.stdout()).contains("removed 2 forwards");
      assertThat(topology.portfwdRules("gateway")).isEqualTo("(no portfwd table)");
      assertThat(portfwd(topology, "status").stdout())
          .contains("live table: none (portfwd's forwards were removed");

      CommandResult rollback = portfwd(topology, "rollback");
      assertThat(rollback.exitCode()).as(rollback.stderr()).isZero();
      assertThat(topology.portfwdRules("gateway")).isEqualTo(rulesA);
      assertThat(portfwd(topology, "status").stdout())
          .contains("live table: " + dir.resolve("a.txt"));
    }
  }

  private static final String TABLE_C = "1003 " + Topology.BACKEND + " 80 tcp # C\n";

  /** The id {@code rollback --list} gives the newest state from {@code file}. */
  private long stateOf(Topology topology, Path file) {
    CommandResult list = portfwd(topology, "rollback", "--list");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    return list.stdout()
        .lines()
        .filter(line -> line.contains("from " + file + " ("))
        .map(line -> Long.parseLong(line.substring(0, line.indexOf(' '))))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no state of " + file + " in\n" + list.stdout()));
  }

  @Test
  void rollbackToAChosenStateRestoresItInOneStepAndAnUnknownOneChangesNothing() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path a = table("a.txt", TABLE_A);
      for (Path file : List.of(a, table("b.txt", TABLE_B), table("c.txt", TABLE_C))) {
        CommandResult apply = portfwd(topology, "apply", file.toString());
        assertThat(apply.exitCode()).as(apply.stderr()).isZero();
      }
      long stateA = stateOf(topology, a);
      String rulesC = topology.portfwdRules("gateway");

      CommandResult unknown = portfwd(topology, "rollback", "--to", "99");
      assertThat(unknown.exitCode()).isEqualTo(1);
      assertThat(unknown.stderr())
          .contains("no state 99 is recorded")
          .contains("nothing was changed");
      assertThat(topology.portfwdRules("gateway")).isEqualTo(rulesC);

      CommandResult back = portfwd(topology, "rollback", "--to", Long.toString(stateA));
      assertThat(back.exitCode()).as(back.stderr()).isZero();
      assertThat(back.stdout())
          .startsWith("rolled back to state " + stateA + " (2 forwards from " + a);
      assertThat(livePorts(topology)).as("two steps back at once").containsExactly("1000", "1001");
      assertThat(portfwd(topology, "status").stdout())
          .contains("live table: " + a + " (rolled back to state " + stateA + ")");

      CommandResult undo = portfwd(topology, "rollback");
      assertThat(undo.exitCode()).as(undo.stderr()).isZero();
      assertThat(topology.portfwdRules("gateway"))
          .as("a plain rollback undoes it")
          .isEqualTo(rulesC);
    }
  }

  @Test
  void rollbackToThroughTheServiceAnswersAsDirectAndWatchKeepsTheRestoredState() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path a = table("a.txt", TABLE_A);
      Path watched = table("c.txt", TABLE_C);
      assertThat(portfwd(topology, "apply", a.toString()).exitCode()).isZero();
      long stateA = stateOf(topology, a);
      Path socket = dir.resolve("c.sock");
      List<String> argv =
          command(
              topology,
              "watch",
              "--control",
              socket.toString(),
              "--interval",
              "1",
              "--full-interval",
              "1",
              watched.toString());
      Path log = dir.resolve("watch.log");
      Process watch =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        Conditions.await(
            "watch applies its table",
            Duration.ofSeconds(30),
            () -> Conditions.read(log).contains("watching"));
        assertThat(livePorts(topology)).containsExactly("1003");

        CommandResult unknown =
            portfwd(topology, "rollback", "--control", socket.toString(), "--to", "99");
        CommandResult unknownDirect = portfwd(topology, "rollback", "--direct", "--to", "99");
        assertThat(unknown.exitCode()).isEqualTo(1).isEqualTo(unknownDirect.exitCode());
        assertThat(unknown.stderr()).isEqualTo(unknownDirect.stderr()).contains("no state 99");

        CommandResult served =
            portfwd(
                topology,
                "rollback",
                "--control",
                socket.toString(),
                "--to",
                Long.toString(stateA));
        assertThat(served.exitCode()).as(served.stderr()).isZero();
        assertThat(Conditions.read(log))
            .as("it ran in the service")
            .contains("ran 'rollback' for a client");
        assertThat(livePorts(topology)).containsExactly("1000", "1001");
        assertThat(Files.readString(watched))
            .as("the watched file holds what is in force")
            .contains("1000 " + Topology.BACKEND + " 80 tcp # A")
            .contains("1001 " + Topology.BACKEND + " 80 tcp # A")
            .doesNotContain("1003");
        Thread.sleep(3000); // several of watch's full checks
        assertThat(livePorts(topology)).as("watch kept it").containsExactly("1000", "1001");

        // The same command run --direct answers the same (but for the new state's number).
        CommandResult undo = portfwd(topology, "rollback", "--control", socket.toString());
        assertThat(undo.exitCode()).as(undo.stderr()).isZero();
        CommandResult direct =
            portfwd(topology, "rollback", "--direct", "--to", Long.toString(stateA));
        assertThat(direct.exitCode()).as(direct.stderr()).isZero();
        assertThat(direct.stdout().replaceAll("state \\d+:", "state N:"))
            .isEqualTo(served.stdout().replaceAll("state \\d+:", "state N:"));
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
    }
  }
}
