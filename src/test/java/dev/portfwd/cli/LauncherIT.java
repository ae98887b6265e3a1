package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.ProcessCommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/portfwd} as README describes it, on a copy of the sources: it builds the jar with
 * Maven on first use and after a source change, not otherwise, and makes a class-data-sharing
 * archive that the JVM maps. Needs Maven and its local repository (as the build running this test
 * has); no root.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LauncherIT {

  @TempDir Path dir;

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private CommandResult launch(Path root, String... args) throws IOException {
    List<String> argv =
        Stream.concat(Stream.of(root.resolve("bin/portfwd").toString()), Stream.of(args)).toList();
    return new ProcessCommandRunner().run(argv, "", Duration.ofMinutes(8));
  }

  @Test
  void buildsOnFirstUseAndAfterASourceChangeAndMapsItsCdsArchive() throws Exception {
    Path root = dir.resolve("portfwd");
    for (String part : List.of("pom.xml", "bin", "src/main", "examples")) {
      Path from = Path.of(part);
      if (Files.isDirectory(from)) {
        copy(from, root.resolve(part));
      } else {
        Files.createDirectories(root);
        Files.copy(from, root.resolve(part));
      }
    }
    Path jar = root.resolve("target/portfwd.jar");
    Path cds = root.resolve("target/portfwd.jsa");

    CommandResult first = launch(root, "--version");
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(first.stderr()).contains("building");
    assertThat(first.stdout()).contains("portfwd");
    assertThat(jar).isRegularFile();
    assertThat(cds).as("the class-data-sharing archive").isRegularFile();

    CommandResult again = launch(root, "--version");
    assertThat(again.exitCode()).isZero();
    assertThat(again.stderr()).as("no build when nothing changed").doesNotContain("building");

    // -Xshare:on makes the JVM fail unless it maps the archive.
    CommandResult shared =
        new ProcessCommandRunner()
            .run(
                List.of(
                    "env",
                    "PORTFWD_JAVA_OPTS=-Xshare:on",
                    root.resolve("bin/portfwd").toString(),
                    "check",
                    root.resolve("examples/seed-ports.txt").toString()),
                "",
                Duration.ofMinutes(2));
    assertThat(shared.exitCode()).as(shared.stdout() + shared.stderr()).isZero();

    FileTime builtAt = Files.getLastModifiedTime(jar);
    Path source = root.resolve("src/main/java/dev/portfwd/cli/Portfwd.java");
    Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
    CommandResult changed = launch(root, "--version");
    assertThat(changed.exitCode()).as(changed.stderr()).isZero();
    assertThat(changed.stderr()).as("a source newer than the jar").contains("building");
    assertThat(Files.getLastModifiedTime(jar)).isGreaterThan(builtAt);
    assertThat(Files.getLastModifiedTime(cds))
        .as("the archive is made again for the new jar")
        .isGreaterThanOrEqualTo(Files.getLastModifiedTime(jar));
  }
}
