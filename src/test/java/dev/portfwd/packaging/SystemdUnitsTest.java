package dev.portfwd.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.SystemPrograms;
import dev.portfwd.testing.KernelAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The units in {@code packaging/systemd} pass {@code systemd-analyze verify} without a single
 * warning about them (it exits 0 on unknown keys and bad values, so its output is checked too), and
 * say what the README promises.
 */
class SystemdUnitsTest {

  private static final Path DIR = Path.of("packaging/systemd");

  @TempDir Path temp;

  @ParameterizedTest
  @ValueSource(strings = {"portfwd.service", "portfwd-relay.service"})
  void passesSystemdAnalyzeVerifyWithoutWarnings(String unit) throws Exception {
    Path analyze = systemdAnalyze();
    // The unit runs the installed launcher; verify checks that its program exists, so the copy
    // verified here runs the checkout's (the same script). The man page is checked in its package.
    Path copy = Files.createDirectories(temp.resolve("units")).resolve(unit);
    Files.writeString(
        copy,
        Files.readString(DIR.resolve(unit))
            .replace("=/usr/bin/portfwd ", "=" + Path.of("bin/portfwd").toAbsolutePath() + " "));
    Process verify =
        new ProcessBuilder(analyze.toString(), "verify", "--man=no", copy.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(verify.exitValue()).as(output).isZero();
    // Warnings about other units on the host are not ours; every line naming this unit is.
    assertThat(output.lines().filter(line -> line.contains(unit)).toList()).as(output).isEmpty();
  }

  @Test
  void watchServiceRunsWatchAfterTheNetworkAndRestartsOnFailure() throws IOException {
    List<String> lines = Files.readAllLines(DIR.resolve("portfwd.service"));
    assertThat(lines)
        .contains(
            "Wants=network-online.target", "Restart=on-failure", "WantedBy=multi-user.target");
    assertThat(lines).anyMatch(l -> l.startsWith("After=network-online.target"));
    assertThat(lines)
        .anyMatch(l -> l.startsWith("ExecStart=") && l.endsWith(" watch /etc/portfwd/ports.txt"));
  }

  @Test
  void relayServiceRunsRelay() throws IOException {
    List<String> lines = Files.readAllLines(DIR.resolve("portfwd-relay.service"));
    assertThat(lines).contains("Restart=on-failure");
    assertThat(lines).anyMatch(l -> l.startsWith("ExecStart=") && l.contains(" relay "));
  }

  @Test
  void relayServiceRunsTheLauncherWhoseRelayFlagsCapHeapAndDirectMemory() throws IOException {
    List<String> lines = Files.readAllLines(DIR.resolve("portfwd-relay.service"));
    assertThat(lines).anyMatch(l -> l.startsWith("ExecStart=/usr/bin/portfwd relay "));
    String launcher = Files.readString(Path.of("bin/portfwd"));
    Matcher marked = Pattern.compile("(?m)^relay_flags=\\((.*)\\)$").matcher(launcher);
    assertThat(marked.find()).as("relay_flags=(...) in bin/portfwd").isTrue();
    assertThat(List.of(marked.group(1).split(" ")))
        .contains("-XX:+UseSerialGC", "-Xmx64m", "-XX:MaxDirectMemorySize=256m");
    assertThat(launcher).contains("relay) flags=(\"${relay_flags[@]}\") ;;");
  }

  @ParameterizedTest
  @CsvSource({
    "90-portfwd-forwarding.conf, net.ipv4.ip_forward = 1",
    "90-portfwd-relay.conf, net.ipv4.tcp_tw_reuse = 1"
  })
  void sysctlDropInSetsOnlyKeysThatExist(String dropIn, String expected) throws IOException {
    List<String> settings =
        Files.readAllLines(DIR.resolve(dropIn)).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(settings).contains(expected);
    for (String setting : settings) {
      assertThat(setting).matches("[a-z0-9_.]+ = [0-9]+");
      String key = setting.substring(0, setting.indexOf(' '));
      // Only reads /proc/sys: the machine's own sysctls are never changed by a test.
      assertThat(Path.of("/proc/sys", key.replace('.', '/'))).as(key).exists();
    }
  }

  private static Path systemdAnalyze() {
    KernelAccess.requirePrograms("systemd-analyze");
    return SystemPrograms.locate("systemd-analyze").orElseThrow();
  }
}
