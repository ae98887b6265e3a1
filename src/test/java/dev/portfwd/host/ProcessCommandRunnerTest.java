package dev.portfwd.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCommandRunnerTest {

  @TempDir Path dir;

  private final ProcessCommandRunner runner = new ProcessCommandRunner();

  /**
   * The reproducer of issue 12: a folder holding a fake {@code id}, and {@code
   * PATH=".:/usr/bin:/bin"} with that folder as the working directory. The runner must run the
   * system's {@code id}, also when a shell it started looks {@code id} up.
   */
  @Test
  void neverRunsAProgramFromARelativeOrNonSystemPathEntry() throws Exception {
    Path marker = dir.resolve("fake-id-ran");
    Path fake = dir.resolve("id");
    Files.writeString(fake, "#!/bin/sh\ntouch '" + marker + "'\necho 4242\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    String classPath =
        String.join(
            ":",
            codeSource(ProcessCommandRunner.class).toString(),
            codeSource(RunIdProbe.class).toString());
    ProcessBuilder child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classPath,
                RunIdProbe.class.getName())
            .directory(dir.toFile())
            .redirectErrorStream(true);
    child.environment().put("PATH", ".:" + dir + ":/usr/bin:/bin");
    Process process = child.start();
    process.getOutputStream().close();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    String uid = runner.run(List.of("id", "-u")).stdout().strip();
    assertThat(output.lines().toList()).as(output).containsExactly(uid, uid);
    assertThat(marker).as("the fake id ran").doesNotExist();
  }

  @Test
  void runsProgramsByAbsolutePathWithTheSystemFoldersAsPath() throws IOException {
    assertThat(runner.run(List.of("sh", "-c", "echo \"$PATH\"")).stdout().strip())
        .isEqualTo("/usr/sbin:/usr/bin:/sbin:/bin");
    assertThat(runner.run(List.of("sh", "-c", "echo \"$0\"")).stdout().strip())
        .as("argv[0] as the program was started")
        .isIn("/usr/sbin/sh", "/usr/bin/sh", "/sbin/sh", "/bin/sh");
  }

  @Test
  void findsProgramsOnlyInTheSystemFolders() throws IOException {
    Path fake = dir.resolve("tool");
    Files.writeString(fake, "#!/bin/sh\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(SystemPrograms.locate("sh")).hasValueSatisfying(p -> assertThat(p).isAbsolute());
    assertThat(SystemPrograms.locate(fake.toString())).contains(fake);
    assertThat(SystemPrograms.locate("./sh")).isEmpty();
    assertThat(SystemPrograms.locate("bin/sh")).isEmpty();
    assertThat(SystemPrograms.locate("")).isEmpty();
    assertThat(runner.isInstalled("pf-no-such-program")).isFalse();
    assertThat(runner.isInstalled("sh")).isTrue();
  }

  @Test
  void aMissingProgramIsOneLineNamingItsDebianPackage() {
    assertThatThrownBy(() -> runner.run(List.of("pf-no-such-program", "-x")))
        .isInstanceOfSatisfying(
            CommandException.class,
            e -> assertThat(e.kind()).isEqualTo(CommandException.Kind.NOT_INSTALLED))
        .hasMessage(
            "pf-no-such-program is not installed (looked in /usr/sbin, /usr/bin, /sbin and /bin);"
                + " install the package that provides it");
    assertThat(CommandException.notInstalled("conntrack"))
        .hasMessageEndingWith("; install it: apt-get install conntrack");
    assertThat(CommandException.notInstalled("ip6tables-legacy-restore"))
        .hasMessageEndingWith("; install it: apt-get install iptables");
    assertThat(CommandException.notInstalled("nft"))
        .hasMessageEndingWith("; install it: apt-get install nftables");
  }

  @Test
  void stopsAProgramStillRunningAtItsLimitWithEverythingItStarted() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    List<String> argv = List.of("sh", "-c", "sleep 60 & echo $! > '" + pidFile + "'; wait");
    long start = System.nanoTime();

    assertThatThrownBy(() -> runner.run(argv, "", Duration.ofMillis(500)))
        .isInstanceOfSatisfying(
            CommandException.class,
            e -> assertThat(e.kind()).isEqualTo(CommandException.Kind.TIMED_OUT))
        .hasMessage(String.join(" ", argv) + " did not finish within 0.5 s and was stopped");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    long child = Long.parseLong(Files.readString(pidFile).strip());
    assertThat(awaitGone(child)).as("the sleep the shell started was killed too").isTrue();
  }

  @Test
  void aProgramThatNeverReadsItsInputStillStopsAtItsLimit() {
    String input = "x".repeat(4 * 1024 * 1024); // far more than a pipe holds
    long start = System.nanoTime();

    assertThatThrownBy(() -> runner.run(List.of("sleep", "60"), input, Duration.ofMillis(500)))
        .isInstanceOf(CommandException.class)
        .hasMessage("sleep 60 did not finish within 0.5 s and was stopped");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void returnsWhenTheProgramEndsThoughAChildKeepsItsOutputOpen() throws Exception {
    long start = System.nanoTime();
    CommandResult result =
        runner.run(List.of("sh", "-c", "sleep 60 & echo $!"), "", Duration.ofSeconds(20));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    long child = Long.parseLong(result.stdout().strip());
    ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);

    assertThat(result.exitCode()).isZero();
    assertThat(took).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void largeInputGetsMoreTime() {
    assertThat(CommandRunner.timeoutFor("")).isEqualTo(Duration.ofSeconds(30));
    assertThat(CommandRunner.timeoutFor("x".repeat(2 * 1024 * 1024)))
        .isEqualTo(Duration.ofSeconds(50));
  }

  /** True once process {@code pid} is gone, waiting at most 5 s. */
  private static boolean awaitGone(long pid) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
