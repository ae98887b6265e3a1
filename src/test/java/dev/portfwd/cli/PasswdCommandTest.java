package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.cli.CheckCommandTest.Run;
import dev.portfwd.web.PasswordHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portfwd passwd --stdin}: what it stores, where, and where it refuses to. */
class PasswdCommandTest {

  private static final String PASSWORD = "correct horse battery";

  @TempDir Path dir;

  @Test
  void storesAnArgon2idHashNeverThePasswordInAFileOnlyTheOwnerMayRead() throws Exception {
    Path state = dir.resolve("state");
    Run run = CheckCommandTest.run(PASSWORD + "\n", "passwd", "--stdin", "--state-dir", "" + state);

    assertThat(run.exitCode()).as(run.err()).isZero();
    Path file = state.resolve("dashboard-password");
    assertThat(run.out()).contains("argon2id").contains(file.toString());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String hash = Files.readString(file).strip();
    assertThat(hash).startsWith("$argon2id$").doesNotContain(PASSWORD);
    assertThat(PasswordHasher.verify(PASSWORD.toCharArray(), hash)).isTrue();
    assertThat(PasswordHasher.verify("another password".toCharArray(), hash)).isFalse();
  }

  @Test
  void refusesAShortPasswordAndStoresNothing() {
    Path state = dir.resolve("state");
    Run run = CheckCommandTest.run("short\n", "passwd", "--stdin", "--state-dir", "" + state);

    assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(run.err()).contains("at least 10 characters").contains("nothing was changed");
    assertThat(state.resolve("dashboard-password")).doesNotExist();
  }

  @Test
  void refusesAStateDirectoryAnotherUserCouldChange() throws Exception {
    // Whoever may write there could put a hash of their own password in its place.
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    Run run = CheckCommandTest.run(PASSWORD + "\n", "passwd", "--stdin", "--state-dir", "" + state);

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(run.err()).contains(state.toString()).contains("chmod go-w");
    try (var files = Files.list(state)) {
      assertThat(files).as("nothing written in it").isEmpty();
    }
  }
}
