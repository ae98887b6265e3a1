package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portfwd.host.ForwardingSysctls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules a state directory must meet before portfwd reads or writes anything in it. */
class StateDirCheckTest {

  @TempDir Path dir;

  private Path state() {
    return dir.resolve("state");
  }

  private static Snapshot snapshot(String table) {
    return Snapshot.of(
        "t.txt", Instant.EPOCH, "nftables", Forwards.of(table), Set.of(ForwardingSysctls.IPV4));
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  private static void chmod(String mode, Path path) throws Exception {
    // Files.setPosixFilePermissions cannot set the sticky bit.
    Process chmod = new ProcessBuilder("chmod", mode, path.toString()).inheritIO().start();
    assertThat(chmod.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(chmod.exitValue()).isZero();
  }

  private static UserPrincipal nobody() throws IOException {
    assumeTrue(
        StateDirCheck.effectiveUid() == 0, "giving a file to another user needs root, as in CI");
    return Path.of("/")
        .getFileSystem()
        .getUserPrincipalLookupService()
        .lookupPrincipalByName("nobody");
  }

  private static List<Path> contents(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.toList();
    }
  }

  @Test
  void createsTheDirectoryAndItsHistoryForTheOwnerOnly() throws Exception {
    StateStore store = new StateStore(state());
    store.push(snapshot("1000 192.0.2.2\n"));
    try (StateStore.Lock lock = store.lock()) {
      assertThat(mode(state())).isEqualTo("rwx------");
    }
    assertThat(mode(state().resolve("history"))).isEqualTo("rwx------");
    assertThat(mode(state().resolve("history/0000000001.state"))).isEqualTo("rw-------");
    assertThat(mode(state().resolve("lock"))).isEqualTo("rw-------");
    assertThat(contents(state().resolve("history")))
        .as("no temporary file left behind")
        .containsExactlyInAnyOrder(
            state().resolve("history/0000000001.state"),
            state().resolve("history/last-generation"));
    assertThat(mode(state().resolve("history/last-generation"))).isEqualTo("rw-------");
  }

  @Test
  void refusesADirectoryGroupOrOthersMayWrite() throws Exception {
    Files.createDirectory(state());
    Files.setPosixFilePermissions(state(), PosixFilePermissions.fromString("rwxrwxr-x"));
    StateStore store = new StateStore(state());

    assertThatThrownBy(store::lock)
        .isInstanceOf(UnsafeStateDirException.class)
        .hasMessage(
            "state directory "
                + state()
                + " may be written by group or others (mode rwxrwxr-x), who could plant states for"
                + " portfwd to apply; nothing was changed; run 'chmod go-w "
                + state()
                + "' or use another --state-dir");
    assertThatThrownBy(store::history).isInstanceOf(UnsafeStateDirException.class);
    assertThat(contents(state())).as("nothing written").isEmpty();
  }

  @Test
  void refusesADirectoryOwnedByAnotherUser() throws Exception {
    UserPrincipal nobody = nobody();
    Files.createDirectory(state());
    Files.setOwner(state(), nobody);
    StateStore store = new StateStore(state());

    assertThatThrownBy(() -> store.push(snapshot("22 203.0.113.66\n")))
        .isInstanceOf(UnsafeStateDirException.class)
        .hasMessageStartingWith("state directory " + state() + " is owned by nobody (uid ")
        .hasMessageContaining("not root, who could plant states for portfwd to apply")
        .hasMessageEndingWith(
            "nothing was changed; check what it holds, then run 'chown -R root "
                + state()
                + "', or use another --state-dir");
    assertThat(contents(state())).isEmpty();
  }

  @Test
  void refusesADirectoryWhoseParentOthersMayWriteWithoutTheStickyBit() throws Exception {
    Path parent = dir.resolve("shared");
    Files.createDirectory(parent);
    chmod("0777", parent);
    StateStore store = new StateStore(parent.resolve("state"));

    assertThatThrownBy(store::lock)
        .isInstanceOf(UnsafeStateDirException.class)
        .hasMessage(
            "state directory "
                + parent.resolve("state")
                + " lies in "
                + parent
                + ", which group or others may write (mode rwxrwxrwx, no sticky bit) to replace"
                + " it; nothing was changed; run 'chmod go-w "
                + parent
                + "' or use another --state-dir");
    assertThat(parent.resolve("state")).doesNotExist();
  }

  @Test
  void acceptsAParentOthersMayWriteWithTheStickyBitAsTmp() throws Exception {
    Path parent = dir.resolve("tmp");
    Files.createDirectory(parent);
    chmod("1777", parent);
    StateStore store = new StateStore(parent.resolve("state"));
    store.push(snapshot("1000 192.0.2.2\n"));
    assertThat(store.history()).hasSize(1);
  }

  @Test
  void refusesADirectoryInAParentOwnedByAnotherUser() throws Exception {
    UserPrincipal nobody = nobody();
    Path parent = dir.resolve("home");
    Files.createDirectory(parent);
    Files.setOwner(parent, nobody);
    StateStore store = new StateStore(parent.resolve("state"));

    assertThatThrownBy(store::lock)
        .isInstanceOf(UnsafeStateDirException.class)
        .hasMessageContaining("lies in " + parent + ", owned by nobody")
        .hasMessageContaining("run 'chown root " + parent + "'");
  }

  @Test
  void refusesAHistoryDirectoryThatIsASymbolicLink() throws Exception {
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    Files.createDirectory(
        state(), PosixFilePermissions.asFileAttribute(StateDirCheck.DIRECTORY_MODE));
    Files.createSymbolicLink(state().resolve("history"), elsewhere);
    StateStore store = new StateStore(state());

    assertThatThrownBy(() -> store.push(snapshot("1000 192.0.2.2\n")))
        .isInstanceOf(UnsafeStateDirException.class)
        .hasMessageContaining("history is not a directory but a symbolic link");
    assertThat(contents(elsewhere)).isEmpty();
  }

  @Test
  void neverWritesThroughASymbolicLinkPlantedWhereTheTemporaryFileWent() throws Exception {
    Path victim = dir.resolve("victim");
    Files.writeString(victim, "precious\n");
    Path history =
        Files.createDirectories(
            state().resolve("history"),
            PosixFilePermissions.asFileAttribute(StateDirCheck.DIRECTORY_MODE));
    // The name portfwd used for every temporary file before: known in advance, so plantable.
    Files.createSymbolicLink(history.resolve(".0000000001.state.tmp"), victim);
    StateStore store = new StateStore(state());

    store.push(snapshot("1000 192.0.2.2\n"));
    store.writePending(
        new PendingConfirmation(
            "p", Instant.EPOCH, "nftables", 1, snapshot("1000 192.0.2.2\n"), Set.of(), "t"));

    assertThat(Files.readString(victim)).isEqualTo("precious\n");
    assertThat(store.current().orElseThrow().snapshot()).isEqualTo(snapshot("1000 192.0.2.2\n"));
    assertThat(Files.isSymbolicLink(history.resolve(".0000000001.state.tmp"))).isTrue();
  }

  @Test
  void worksThroughTheRealPathOfALinkedDirectory() throws Exception {
    Path real = Files.createDirectory(dir.resolve("real"));
    Files.createSymbolicLink(state(), real);
    StateStore store = new StateStore(state());
    store.push(snapshot("1000 192.0.2.2\n"));
    assertThat(store.requireSafe()).isEqualTo(real.toRealPath());
    assertThat(real.resolve("history/0000000001.state")).exists();
  }

  @Test
  void aNonRootUserIsToldToUseRootForRootsDirectory() throws Exception {
    Files.createDirectory(state());
    assumeTrue(StateDirCheck.effectiveUid() == 0, "the directory must belong to root");
    assertThatThrownBy(() -> StateDirCheck.verify(state(), 1000))
        .isInstanceOf(UnsafeStateDirException.class)
        .hasMessage(
            "state directory "
                + state()
                + " belongs to root; nothing was changed; run portfwd as root (sudo)");
  }
}
