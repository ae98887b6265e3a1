package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watched table file as the dashboard replaces it. */
class WatchedTableFileTest {

  @TempDir Path dir;

  @Test
  void replacesTheFileALinkPointsToAndKeepsTheLinkAndThatFilesMode() throws Exception {
    Path real = Files.writeString(dir.resolve("real.txt"), "13102 192.0.2.2 80 tcp\n");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
    Path link = Files.createSymbolicLink(dir.resolve("ports.txt"), Path.of("real.txt"));

    new WatchedTableFile(link).write("13103 192.0.2.3 80 tcp\n");

    assertThat(Files.isSymbolicLink(link)).as("the link stays a link").isTrue();
    assertThat(Files.readString(real)).isEqualTo("13103 192.0.2.3 80 tcp\n");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(link.toRealPath(), LinkOption.NOFOLLOW_LINKS)))
        .as("the mode of the file the link points to, not the link's 0777")
        .isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files).as("no temporary file left").hasSize(2);
    }
  }

  @Test
  void keepsTheModeOfAPlainFileAndMakesANewOneReadableByAll() throws Exception {
    Path file = Files.writeString(dir.resolve("ports.txt"), "old\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    new WatchedTableFile(file).write("new\n");
    assertThat(Files.readString(file)).isEqualTo("new\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r-----");

    Path fresh = dir.resolve("fresh.txt");
    new WatchedTableFile(fresh).write("x\n");
    assertThat(Files.readString(fresh)).isEqualTo("x\n");
  }
}
