package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.testing.KernelAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The watched table file on a real file system that fills up: a small tmpfs of the test's own. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WatchedTableFileIT {

  @TempDir Path dir;

  @Test
  void failsAndLeavesTheFileAsItWasWhenTheDiskFillsDuringTheWrite() throws Exception {
    KernelAccess.require("mount", "umount");
    Path disk = Files.createDirectory(dir.resolve("disk"));
    run("mount", "-t", "tmpfs", "-o", "size=64k", "portfwd-test", disk.toString());
    try {
      Path file = Files.writeString(disk.resolve("ports.txt"), "13102 192.0.2.2 80 tcp\n");
      // About 200 KB: more than the 64 KiB file system holds, so a write takes only part of it.
      String big = "13103 192.0.2.3 80 tcp # a comment that makes the line longer\n".repeat(3300);

      assertThatThrownBy(() -> new WatchedTableFile(file).write(big))
          .isInstanceOf(IOException.class);

      assertThat(Files.readString(file)).isEqualTo("13102 192.0.2.2 80 tcp\n");
      try (var files = Files.list(disk)) {
        assertThat(files).as("no temporary file left").containsExactly(file);
      }
    } finally {
      run("umount", disk.toString());
    }
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).inheritIO().start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
  }
}
