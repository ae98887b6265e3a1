package dev.portfwd.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The units in {@code packaging/systemd} pass {@code systemd-analyze verify} without a single
 * warning about them (it exits 0 on unknown keys and bad values, so its output is checked too), and
 * say what the README promises.
 */
class SystemdUnitsTest {

  private static final Path DIR = Path.of("packaging/systemd");

  @ParameterizedTest
  @ValueSource(strings = {"portfwd.service", "portfwd-relay.service"})
  void passesSystemdAnalyzeVerifyWithoutWarnings(String unit) throws Exception {
    Path analyze = systemdAnalyze();
    Process verify =
        new ProcessBuilder(
                analyze.toString(), "verify", DIR.resolve(unit).toAbsolutePath().toString())
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
  void relayServiceCapsHeapAndDirectMemory() throws IOException {
    assertThat(relayServiceFlags()).contains("-Xmx64m", "-XX:MaxDirectMemorySize=256m");
  }

  @Test
  void launcherStartsTheRelayWithTheServicesFlags() throws IOException {
    String launcher = Files.readString(Path.of("bin/portfwd"));
    Matcher marked = Pattern.compile("(?m)^relay_flags=\\((.*)\\)$").matcher(launcher);
    assertThat(marked.find()).as("relay_flags=(...) in bin/portfwd").isTrue();
    assertThat(List.of(marked.group(1).split(" "))).isEqualTo(relayServiceFlags());
  }

  /** The JVM flags of the relay unit's ExecStart, between the java binary and {@code -jar}. */
  private static List<String> relayServiceFlags() throws IOException {
    String execStart =
        Files.readAllLines(DIR.resolve("portfwd-relay.service")).stream()
            .filter(l -> l.startsWith("ExecStart=/usr/bin/java "))
            .findFirst()
            .orElseThrow();
    assertThat(execStart).contains(" -jar ");
    String flags =
        execStart.substring("ExecStart=/usr/bin/java ".length(), execStart.indexOf(" -jar "));
    return List.of(flags.split(" "));
  }

  @Test
  void sysctlDropInSetsOnlyKeysThatExist() throws IOException {
    List<String> settings =
        Files.readAllLines(DIR.resolve("90-portfwd-forwarding.conf")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertThat(settings).contains("net.ipv4.ip_forward = 1");
    for (String setting : settings) {
      assertThat(setting).matches("[a-z0-9_.]+ = [0-9]+");
      String key = setting.substring(0, setting.indexOf(' '));
      // Only reads /proc/sys: the machine's own sysctls are never changed by a test.
      assertThat(Path.of("/proc/sys", key.replace('.', '/'))).as(key).exists();
    }
  }

  private static Path systemdAnalyze() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path candidate = Path.of(dir, "systemd-analyze");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String why = "systemd-analyze is not installed (Debian package 'systemd')";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + "; CI must install it (.ci/run)");
    }
    Assumptions.abort("skipping unit file verification: " + why);
    return null;
  }
}
