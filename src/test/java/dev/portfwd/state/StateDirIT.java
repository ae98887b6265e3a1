package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as root against a state directory another user prepared (issue 12): before, root's {@code
 * apply} wrote through a planted symbolic link and root's {@code rollback} installed a planted
 * forward (22 → 203.0.113.66). Now nothing in such a directory is used, and a recorded state is
 * checked like a table before it is restored.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StateDirIT {

  private static final String PLANTED_FORWARD = "22 203.0.113.66 22 tcp # planted\n";

  @TempDir Path dir;

  private Path state() {
    return dir.resolve("state");
  }

  private CommandResult portfwd(Topology topology, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = args[0];
    all[1] = "--state-dir";
    all[2] = state().toString();
    System.arraycopy(args, 1, all, 3, args.length - 1);
    return PortfwdJar.runIn(topology, "gateway", all);
  }

  /** Two recorded states, as apply writes them: the older one holds {@code olderLines}. */
  private void plantHistory(List<String> olderLines) throws IOException {
    Path history = Files.createDirectories(state().resolve("history"));
    Files.writeString(
        history.resolve("0000000001.state"),
        SnapshotCodec.write(
            new Snapshot("planted.txt", Instant.EPOCH, "nftables", olderLines, Set.of())));
    Files.writeString(
        history.resolve("0000000002.state"),
        SnapshotCodec.write(
            new Snapshot(SafeApply.REMOVED, Instant.EPOCH, "nftables", List.of(), Set.of())));
  }

  private static UserPrincipal nobody() throws IOException {
    return Path.of("/")
        .getFileSystem()
        .getUserPrincipalLookupService()
        .lookupPrincipalByName("nobody");
  }

  @Test
  void aStateDirectoryAnotherUserPreparedIsRefusedAndNothingIsTouched() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
      plantHistory(Snapshot.lines(Forwards.of(PLANTED_FORWARD)));
      Files.createSymbolicLink(state().resolve("history/.0000000001.state.tmp"), victim);
      // What 'nobody' could have made: the directory and all in it its own.
      for (Path path : List.of(state(), state().resolve("history"))) {
        Files.setOwner(path, nobody());
      }
      Path table = Files.writeString(dir.resolve("t.txt"), "13102 " + Topology.BACKEND + " 80\n");

      for (List<String> command :
          List.of(List.of("apply", table.toString()), List.of("rollback"))) {
        CommandResult run = portfwd(topology, command.toArray(String[]::new));
        assertThat(run.exitCode()).as(command + ": " + run.stderr()).isEqualTo(1);
        assertThat(run.stderr().lines())
            .as(command + ": one line naming the directory, the problem and the fix")
            .singleElement()
            .asString()
            .startsWith("portfwd: state directory " + state() + " is owned by nobody")
            .contains("nothing was changed")
            .contains("chown -R root " + state());
      }
      assertThat(Files.readString(victim)).isEqualTo("precious\n");
      assertThat(topology.portfwdRules("gateway")).isEqualTo("(no portfwd table)");
      assertThat(state().resolve("lock")).doesNotExist();
    }
  }

  @Test
  void aRecordedStateThatIsNotValidIsNotRestored() throws Exception {
    try (Topology topology = Topology.reference()) {
      Files.createDirectory(
          state(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      String line = ForwardLine.format(Forwards.of(PLANTED_FORWARD).forwards().get(0));
      plantHistory(List.of(line, line.replace("203.0.113.66", "203.0.113.67")));

      CommandResult rollback = portfwd(topology, "rollback");

      assertThat(rollback.exitCode()).as(rollback.stderr()).isEqualTo(1);
      assertThat(rollback.stderr())
          .isEqualTo(
              "portfwd: the state to restore in "
                  + state().resolve("history/0000000001.state")
                  + " is not valid (line 3: port 22/tcp is already forwarded by line 2); nothing"
                  + " was changed; move that file away to roll back past it\n");
      assertThat(topology.portfwdRules("gateway")).isEqualTo("(no portfwd table)");
    }
  }
}
