package dev.portfwd.e2e;

import static dev.portfwd.e2e.NftForwardingIT.ok;
import static dev.portfwd.e2e.NftForwardingIT.portfwd;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.Compiler;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.nft.NftBackend;
import dev.portfwd.nft.NftCommandKernel;
import dev.portfwd.table.TableParser;
import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Killing apply at any moment leaves the old or the new ruleset, never a mix. */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NftAtomicityIT {

  static final int ROUNDS = 6;

  @TempDir Path dir;

  static String table(int count, String backend) {
    return IntStream.range(0, count)
        .mapToObj(i -> (20000 + i) + " " + backend + " 80 tcp\n")
        .collect(Collectors.joining());
  }

  static List<CompiledForward> expected(String text) throws Exception {
    return NftBackend.kernelFormOf(Compiler.compile(TableParser.parse("t", text).table()))
        .forwards();
  }

  @Test
  void killingApplyAtRandomMomentsLeavesTheOldOrTheNewRuleset() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    try (Topology topology = Topology.reference()) {
      String oldText = table(2000, "192.0.2.2");
      String newText = table(10_000, "192.0.2.3");
      Path oldTable = dir.resolve("old.txt");
      Path newTable = dir.resolve("new.txt");
      Files.writeString(oldTable, oldText);
      Files.writeString(newTable, newText);
      List<CompiledForward> oldForwards = expected(oldText);
      List<CompiledForward> newForwards = expected(newText);
      NftBackend reader = new NftBackend(new NftCommandKernel(topology.runner("gateway")));
      // How long an undisturbed apply takes here: kills are spread over that whole time.
      ok(portfwd(topology, "apply", oldTable.toString()));
      long start = System.nanoTime();
      ok(portfwd(topology, "apply", newTable.toString()));
      int window = (int) ((System.nanoTime() - start) / 1_000_000);
      assertThat(reader.status().stream().map(LiveForward::forward).toList())
          .isEqualTo(newForwards);
      int sawOld = 0;
      int sawNew = 0;
      for (int round = 0; round < ROUNDS; round++) {
        ok(portfwd(topology, "apply", oldTable.toString()));
        List<String> argv = PortfwdJar.commandIn(topology, "gateway", "apply", newTable.toString());
        Process apply =
            new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        // Half the kills anywhere, half near the end where nft commits (the JVM start and the plan
        // take most of the window, so uniform kills would rarely hit the commit).
        long delay =
            round % 2 == 0
                ? random.nextInt(window + 1)
                : window * 3L / 4 + random.nextInt(window / 2 + 1);
        Thread.sleep(delay);
        // SIGKILL the JVM and, every other round, the nft it may be running: no cleanup code runs.
        if (round % 2 == 0) {
          apply.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        apply.destroyForcibly();
        assertThat(apply.waitFor(10, TimeUnit.SECONDS)).isTrue();
        awaitNoProcesses(topology);
        deleteScriptsOf(apply.pid());
        List<CompiledForward> live = reader.status().stream().map(LiveForward::forward).toList();
        String where = "round " + round + " killed after " + delay + " ms (seed " + seed + ")";
        if (live.equals(newForwards)) {
          sawNew++;
        } else {
          assertThat(live).as(where + ": neither old nor new ruleset").isEqualTo(oldForwards);
          sawOld++;
        }
      }
      System.out.println(
          "atomicity: old "
              + sawOld
              + ", new "
              + sawNew
              + " of "
              + ROUNDS
              + " rounds, kills within "
              + window
              + " ms (seed "
              + seed
              + ")");
    }
  }

  /**
   * The moment a random kill rarely hits, made to happen: portfwd is killed the instant its {@code
   * nft -f} starts, before nft has read a byte (a stand-in for {@code /usr/sbin/nft}, bind-mounted
   * in the apply's own mount namespace only, holds it there). nft must still get the whole script
   * and apply it whole: portfwd wrote it to a private file (0600) before starting nft. Through a
   * pipe nft would read only what portfwd wrote before it died, and a script cut at a line boundary
   * applies a prefix of the change.
   */
  @Test
  void killingApplyTheMomentNftStartsStillAppliesTheWholeScript() throws Exception {
    try (Topology topology = Topology.reference()) {
      String oldText = table(2000, "192.0.2.2");
      String newText = table(10_000, "192.0.2.3");
      Path oldTable = dir.resolve("old.txt");
      Path newTable = dir.resolve("new.txt");
      Files.writeString(oldTable, oldText);
      Files.writeString(newTable, newText);
      List<CompiledForward> oldForwards = expected(oldText);
      List<CompiledForward> newForwards = expected(newText);
      NftBackend reader = new NftBackend(new NftCommandKernel(topology.runner("gateway")));
      Path hold = Files.createDirectories(dir.resolve("hold"));
      Files.copy(Path.of("/usr/sbin/nft"), hold.resolve("nft.real"));
      Path wrapper = hold.resolve("nft");
      Files.writeString(
          wrapper,
          """
          #!/bin/sh
          # Holds 'nft -f INPUT' until the test says go; any other nft command runs at once.
          D=%s
          if [ "$1" = "-f" ]; then
            echo "$2" > $D/input
            if [ -f "$2" ]; then stat -c %%a "$2" > $D/mode; else echo "not a file" > $D/mode; fi
            : > $D/held
            i=0
            while [ ! -e $D/go ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
            exec $D/nft.real "$@"
          fi
          exec $D/nft.real "$@"
          """
              .formatted(hold));
      wrapper.toFile().setExecutable(true);

      ok(portfwd(topology, "apply", oldTable.toString()));
      assertThat(reader.status().stream().map(LiveForward::forward).toList())
          .isEqualTo(oldForwards);
      List<String> argv =
          new ArrayList<>(
              List.of(
                  "ip",
                  "netns",
                  "exec",
                  topology.namespace("gateway"),
                  "sh",
                  "-c",
                  // 'ip netns exec' gave this command a mount namespace of its own (a slave of
                  // the host's): the bind mount is seen by this apply only.
                  "mount --bind "
                      + wrapper
                      + " /usr/sbin/nft && exec "
                      + String.join(" ", PortfwdJar.command("apply", newTable.toString()))));
      Process apply =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        Conditions.await(
            "portfwd's nft -f is held",
            Duration.ofSeconds(60),
            () -> Files.exists(hold.resolve("held")));
        assertThat(apply.isAlive()).as("portfwd still waits for nft").isTrue();
        apply.destroyForcibly();
        assertThat(apply.waitFor(10, TimeUnit.SECONDS)).isTrue();
      } finally {
        apply.destroyForcibly();
        Files.writeString(hold.resolve("go"), "");
      }
      awaitNoProcesses(topology);
      String input = Files.readString(hold.resolve("input")).strip();
      deleteScriptsOf(apply.pid());
      assertThat(reader.status().stream().map(LiveForward::forward).toList())
          .as("the whole script applies although portfwd died before nft read any of it")
          .isEqualTo(newForwards);
      assertThat(input).startsWith("/run/portfwd-" + apply.pid() + "-");
      assertThat(Files.readString(hold.resolve("mode")).strip())
          .as("nft's input " + input + " is a file only root may read")
          .isEqualTo("600");
    }
  }

  /** The script files a killed apply ({@code pid}) left in /run; no other process's. */
  private static void deleteScriptsOf(long pid) throws java.io.IOException {
    try (var files = Files.newDirectoryStream(Path.of("/run"), "portfwd-" + pid + "-*")) {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** An nft orphaned by the kill may still be committing; wait (bounded) until it is gone. */
  private static void awaitNoProcesses(Topology topology) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      CommandResult pids =
          new ProcessCommandRunner()
              .run(List.of("ip", "netns", "pids", topology.namespace("gateway")));
      if (pids.stdout().isBlank()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("processes still running in the gateway namespace");
  }
}
