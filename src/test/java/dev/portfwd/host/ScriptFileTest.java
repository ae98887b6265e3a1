package dev.portfwd.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The script files a killed portfwd left behind are deleted, and nothing else is. */
class ScriptFileTest {

  @TempDir Path dir;

  private static final Set<Long> ALIVE = Set.of(200L);

  @Test
  void deletesOnlyTheScriptFilesOfProcessesThatNoLongerRun() throws IOException {
    for (String name :
        new String[] {
          "portfwd-100-123456789.nft", // dead: deleted
          "portfwd-101-987654321.iptables", // dead: deleted
          "portfwd-200-555.nft", // alive: kept
          "portfwd-100-123.nft.bak", // another name: kept
          "portfwd-100-abc.nft", // another name: kept
          "portfwd-100-1.conf", // another suffix: kept
          "portfwd-99999999999999999999-1.nft", // no PID: kept
          "other-100-1.nft", // another program's: kept
        }) {
      Files.writeString(dir.resolve(name), "flush ruleset\n");
    }
    Files.createDirectory(dir.resolve("portfwd-102-1.nft")); // not a regular file: kept
    Files.writeString(dir.resolve("target"), "x");
    Files.createSymbolicLink(dir.resolve("portfwd-103-1.nft"), dir.resolve("target"));

    int deleted = ScriptFile.removeLeftovers(dir, uid(dir), ALIVE::contains);

    assertThat(deleted).isEqualTo(2);
    assertThat(names())
        .containsExactlyInAnyOrder(
            "portfwd-200-555.nft",
            "portfwd-100-123.nft.bak",
            "portfwd-100-abc.nft",
            "portfwd-100-1.conf",
            "portfwd-99999999999999999999-1.nft",
            "other-100-1.nft",
            "portfwd-102-1.nft",
            "portfwd-103-1.nft",
            "target");
  }

  @Test
  void keepsAnotherUsersFiles() throws IOException {
    Files.writeString(dir.resolve("portfwd-100-1.nft"), "x");

    int deleted = ScriptFile.removeLeftovers(dir, uid(dir) + 1, pid -> false);

    assertThat(deleted).isZero();
    assertThat(names()).containsExactly("portfwd-100-1.nft");
  }

  @Test
  void aFolderThatCannotBeListedDeletesNothing() {
    assertThat(ScriptFile.removeLeftovers(dir.resolve("missing"), uid(dir), pid -> false)).isZero();
  }

  @Test
  void theNamesItWritesAreTheNamesItDeletes() throws IOException {
    for (String suffix : new String[] {"nft", "iptables"}) {
      try (ScriptFile file = ScriptFile.write(suffix, "flush ruleset\n")) {
        // A copy of the name here: the folder it writes to is the host's, with other processes'.
        Files.writeString(dir.resolve(file.path().getFileName().toString()), "x");
      }
    }
    long self = ProcessHandle.current().pid();

    assertThat(ScriptFile.removeLeftovers(dir, uid(dir), pid -> pid == self))
        .as("this process runs")
        .isZero();
    assertThat(ScriptFile.removeLeftovers(dir, uid(dir), pid -> false)).isEqualTo(2);
    assertThat(names()).isEmpty();
  }

  private Set<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return Set.copyOf(files.map(p -> p.getFileName().toString()).toList());
    }
  }

  private static int uid(Path path) {
    try {
      return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
