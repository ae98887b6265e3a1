package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.KernelAccess;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: {@code watch --http} in the gateway namespace of the reference
 * topology, and Debian's chromium, driven by {@code src/test/browser/dashboard.js}
 * (playwright-core), in the client namespace. The script is slowed down after five wrong passwords,
 * logs in, sees the forwards (a description with a script tag shown as text), sees a page of
 * another port of the gateway refused when it POSTs a change with the session's cookie, types an
 * error and sees its diagnostic under its line, fixes it, plans, applies with confirmation, sends
 * traffic through a forward and sees its counter move, sees the page fit a phone's width, sees a
 * doctor finding with its fix, rolls back one step from the history, applies twice more, rolls back
 * two steps at once to a state chosen in the history (checked in the kernel and against watch's own
 * checks), logs out and gets 401 from every API path. Screenshots are kept in {@code
 * target/browser-screenshots}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardBrowserIT {

  private static final int HTTP_PORT = 9480;
  private static final int NEW_PORT = 13103;
  private static final Duration WATCH_INTERVAL = Duration.ofSeconds(2);
  private static final String PASSWORD = "browser test password";
  private static final String TABLE =
      "# Ext-port Int-IP Int-port\n"
          + "13102 "
          + Topology.BACKEND
          + " 80 tcp # <script>alert(1)</script> Netbook Apache\n";
  private static final Path BROWSER_DIR = Path.of("src", "test", "browser").toAbsolutePath();
  private static final Path SCREENSHOTS = Path.of("target", "browser-screenshots").toAbsolutePath();

  @TempDir Path dir;

  @Test
  void logsInEditsPlansAppliesWatchesTrafficRollsBackAndLogsOut() throws Exception {
    requireBrowser();
    deleteOldScreenshots();
    Path table = Files.writeString(dir.resolve("ports.txt"), TABLE);
    CommandResult passwd =
        PortfwdJar.run(
            PASSWORD + "\n", "passwd", "--stdin", "--state-dir", dir.resolve("state").toString());
    assertThat(passwd.exitCode()).as(passwd.stderr()).isZero();
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      // Something for the page's doctor to find, with a fix (paths here are symmetric: harmless).
      topology.sh("gateway", "sysctl -qw net.ipv4.conf.all.rp_filter=1");
      List<String> argv =
          new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
      argv.addAll(
          PortfwdJar.command(
              "watch",
              "--state-dir",
              "state",
              "--control",
              "c.sock",
              "--interval",
              Long.toString(WATCH_INTERVAL.toSeconds()),
              "--full-interval",
              Long.toString(WATCH_INTERVAL.toSeconds()),
              "--http",
              Topology.GATEWAY_WAN + ":" + HTTP_PORT,
              table.getFileName().toString()));
      Process watch =
          new ProcessBuilder(argv)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("watch.log").toFile())
              .start();
      try {
        awaitLog("watching", Duration.ofSeconds(30));
        Process browser =
            new ProcessBuilder(
                    "ip",
                    "netns",
                    "exec",
                    topology.namespace("client"),
                    "/usr/bin/env",
                    "DASHBOARD=http://" + Topology.GATEWAY_WAN + ":" + HTTP_PORT,
                    "PASSWORD=" + PASSWORD,
                    "SCREENSHOTS=" + SCREENSHOTS,
                    "FORWARD_HOST=" + Topology.GATEWAY_WAN,
                    "FORWARD_PORT=13102",
                    "NEW_PORT=" + NEW_PORT,
                    "node",
                    BROWSER_DIR.resolve("dashboard.js").toString())
                .directory(BROWSER_DIR.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("browser.log").toFile())
                .start();
        boolean finished = browser.waitFor(4, TimeUnit.MINUTES);
        if (!finished) {
          browser.destroyForcibly();
        }
        String browserLog = Files.readString(dir.resolve("browser.log"));
        Files.createDirectories(SCREENSHOTS);
        Files.writeString(SCREENSHOTS.resolve("browser.log"), browserLog);
        Files.copy(
            dir.resolve("watch.log"),
            SCREENSHOTS.resolve("watch.log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(finished && browser.exitValue() == 0)
            .as(
                "the browser script:\n%s\nwatch:\n%s",
                browserLog, Files.readString(dir.resolve("watch.log")))
            .isTrue();
        assertThat(browserLog).contains("all steps passed");

        // The rollback to the chosen state put the file and the kernel back where they started,
        // and watch agrees: it still holds them after a full check of its own.
        assertThat(Files.readString(table)).contains("13102 ").doesNotContain(NEW_PORT + " ");
        for (int i = 0; i < 2; i++) {
          String rules = topology.portfwdRules("gateway");
          assertThat(rules).contains("13102");
          for (int port = NEW_PORT; port <= NEW_PORT + 2; port++) {
            assertThat(rules).doesNotContain(Integer.toString(port));
          }
          if (i == 0) {
            Thread.sleep(WATCH_INTERVAL.toMillis() * 2);
          }
        }
        CommandResult list =
            PortfwdJar.runIn(
                topology,
                "gateway",
                "rollback",
                "--list",
                "--state-dir",
                dir.resolve("state").toString(),
                "--control",
                dir.resolve("c.sock").toString());
        assertThat(list.exitCode()).as(list.stderr()).isZero();
        assertThat(list.stdout().lines().findFirst().orElseThrow())
            .contains("1 forward from ")
            .contains("ports.txt")
            .endsWith("(current)");
        String log = Files.readString(dir.resolve("watch.log"));
        assertThat(log)
            .contains("dashboard: apply by a session")
            .contains("dashboard: confirm by a session")
            .contains("dashboard: rollback by a session")
            .contains("dashboard: wrong password from " + Topology.CLIENT)
            .contains("dashboard: refused apply from " + Topology.CLIENT + ": cross-site")
            .doesNotContain("drifted")
            .doesNotContain(PASSWORD);
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
    }
  }

  private static void deleteOldScreenshots() throws java.io.IOException {
    if (Files.isDirectory(SCREENSHOTS)) {
      try (var files = Files.list(SCREENSHOTS)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
    }
  }

  /**
   * Chromium, node and the script's node_modules: CI (any non-empty {@code CI}, as for every other
   * end-to-end test) installs them and fails without them; elsewhere the test skips.
   */
  private static void requireBrowser() {
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) {
      missing.add("/usr/bin/chromium (apt-get install chromium)");
    }
    if (!Files.isExecutable(Path.of("/usr/bin/node"))) {
      missing.add("node (apt-get install nodejs npm)");
    }
    if (!Files.isDirectory(BROWSER_DIR.resolve("node_modules").resolve("playwright-core"))) {
      missing.add("playwright-core (npm ci in src/test/browser)");
    }
    if (missing.isEmpty()) {
      return;
    }
    String message =
        "the browser test needs " + String.join(", ", missing) + "; .ci/run installs them";
    if (KernelAccess.inCi()) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
  }

  private void awaitLog(String line, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Path log = dir.resolve("watch.log");
    while (!(Files.exists(log) && Files.readString(log).contains(line))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "not within " + timeout.toSeconds() + " s: " + line + "\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }
}
