package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.cli.CheckCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portfwd token create|list|revoke}: a token is shown once and stored only hashed. */
class TokenCommandTest {

  @TempDir Path dir;

  private Run token(String... args) {
    String[] argv = new String[args.length + 3];
    argv[0] = "token";
    System.arraycopy(args, 0, argv, 1, args.length);
    argv[args.length + 1] = "--state-dir";
    argv[args.length + 2] = dir.resolve("state").toString();
    return CheckCommandTest.run("", argv);
  }

  @Test
  void createShowsTheTokenOnceListNeverAndRevokeEndsIt() throws Exception {
    Run created = token("create", "backup script");
    assertThat(created.exitCode()).as(created.err()).isZero();
    String secret = created.out().strip();
    assertThat(secret).matches("pfw_[0-9a-f]{8}_[A-Za-z0-9_-]{43}");
    String id = secret.substring(4, 12);
    String hidden = secret.substring(13);

    Path file = dir.resolve("state").resolve("dashboard-tokens");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String stored = Files.readString(file);
    assertThat(stored).contains(id).doesNotContain(hidden);

    Run list = token("list");
    assertThat(list.exitCode()).isZero();
    assertThat(list.out()).contains("ID").contains(id).contains("backup script");
    assertThat(list.out()).doesNotContain(hidden);

    Run revoked = token("revoke", id);
    assertThat(revoked.exitCode()).as(revoked.err()).isZero();
    assertThat(revoked.out()).isEqualTo("revoked " + id + "\n");
    assertThat(token("list").out()).isEqualTo("no tokens\n");

    Run again = token("revoke", id);
    assertThat(again.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(again.err()).contains("no token with id '" + id + "'");
  }

  @Test
  void refusesAStateDirectoryAnotherUserCouldChange() throws Exception {
    // Whoever may write there could add a token of their own.
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    Run run = token("create", "script");

    assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(run.err()).contains(state.toString()).contains("chmod go-w");
    assertThat(run.out()).doesNotContain("pfw_");
    try (var files = Files.list(state)) {
      assertThat(files).as("nothing written in it").isEmpty();
    }
    assertThat(token("list").exitCode()).isEqualTo(ExitCode.FAILURE);
  }
}
