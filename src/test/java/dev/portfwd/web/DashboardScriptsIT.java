package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API as README tells scripts to use it, against {@code watch --http} in the gateway namespace
 * of the reference topology and curl in the client namespace: a token from {@code portfwd token
 * create} reads the forwards and plans without a CSRF header, and stops working the moment {@code
 * portfwd token revoke} ends it; {@code portfwd passwd} ends the running service's sessions at
 * once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardScriptsIT {

  private static final int PORT = 9483;
  private static final String BASE = "http://" + Topology.GATEWAY_WAN + ":" + PORT;
  private static final String PASSWORD = "scripts test password";
  private static final String TABLE = "13102 " + Topology.BACKEND + " 80 tcp # for scripts\n";

  @TempDir Path dir;

  private CommandResult portfwd(String stdin, String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(List.of("--state-dir", dir.resolve("state").toString()));
    CommandResult result = PortfwdJar.run(stdin, argv.toArray(String[]::new));
    assertThat(result.exitCode()).as("%s: %s", argv, result.stderr()).isZero();
    return result;
  }

  /** curl in the client namespace; its output ends with a line holding the HTTP status. */
  private static CommandResult curl(Topology topology, String... args) {
    List<String> argv =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-w", "\n%{http_code}"));
    argv.addAll(List.of(args));
    return topology.exec("client", argv.toArray(String[]::new));
  }

  private static String status(CommandResult curl) {
    String out = curl.stdout();
    return out.substring(out.lastIndexOf('\n') + 1);
  }

  @Test
  void aTokenWorksWithoutCsrfUntilRevokedAndPasswdEndsTheSessions() throws Exception {
    Path table = Files.writeString(dir.resolve("ports.txt"), TABLE);
    portfwd(PASSWORD + "\n", "passwd", "--stdin");
    try (Topology topology = Topology.reference()) {
      Path log = dir.resolve("watch.log");
      Process watch =
          PortfwdJar.startWatchWithDashboard(topology, log, dir.resolve("state"), PORT, table);
      try {

        // A token made while the service runs works at once, as README's curl lines use it.
        String token = portfwd("", "token", "create", "backup script").stdout().strip();
        String bearer = "Authorization: Bearer " + token;
        CommandResult forwards = curl(topology, "-H", bearer, BASE + "/api/v1/forwards");
        assertThat(status(forwards)).as(forwards.stdout() + forwards.stderr()).isEqualTo("200");
        assertThat(forwards.stdout()).contains("\"forwards\"").contains("for scripts");
        CommandResult plan =
            curl(
                topology,
                "-H",
                bearer,
                "-d",
                "{\"table\": \"13102 192.0.2.2 80 tcp\\n13103 192.0.2.2 80 tcp\\n\"}",
                BASE + "/api/v1/plan");
        assertThat(status(plan)).as(plan.stdout()).isEqualTo("200");
        assertThat(plan.stdout()).contains("\"kind\":\"add\"").contains("13103");
        assertThat(topology.portfwdRules("gateway"))
            .as("a plan changes nothing")
            .doesNotContain("13103");

        // Revoked by the CLI: refused by the running service at once.
        String id = token.substring("pfw_".length(), "pfw_".length() + 8);
        portfwd("", "token", "revoke", id);
        assertThat(status(curl(topology, "-H", bearer, BASE + "/api/v1/forwards")))
            .isEqualTo("401");

        // A session, then a new password: the service ends the session at once.
        Path cookies = dir.resolve("cookies.txt");
        CommandResult login =
            curl(
                topology,
                "-c",
                cookies.toString(),
                "-o",
                "/dev/null",
                "--data-urlencode",
                "password=" + PASSWORD,
                BASE + "/login");
        assertThat(status(login)).as(login.stderr()).isEqualTo("303");
        assertThat(status(curl(topology, "-b", cookies.toString(), BASE + "/api/v1/history")))
            .isEqualTo("200");
        portfwd("another scripts password\n", "passwd", "--stdin");
        assertThat(status(curl(topology, "-b", cookies.toString(), BASE + "/api/v1/history")))
            .as("the session opened under the old password")
            .isEqualTo("401");

        assertThat(Conditions.read(log))
            .contains("dashboard: logged in from " + Topology.CLIENT)
            .doesNotContain(PASSWORD)
            .doesNotContain(token.substring(13));
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
    }
  }
}
