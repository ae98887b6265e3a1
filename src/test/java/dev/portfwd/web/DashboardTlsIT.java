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
 * {@code watch --http --tls-cert --tls-key} end to end: the built jar in the gateway namespace of
 * the reference topology with a self-signed certificate openssl made, and curl in the client
 * namespace as the browser. The dashboard, its API and {@code /metrics} answer over HTTPS only, the
 * session cookie is {@code Secure}; a key that is not the certificate's, or a file that is missing,
 * stops watch before anything is applied, with a message naming the file.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardTlsIT {

  private static final int PORT = 9482;
  private static final String PASSWORD = "tls test password";
  private static final String BASE = "https://" + Topology.GATEWAY_WAN + ":" + PORT;
  private static final String TABLE = "13102 " + Topology.BACKEND + " 80 tcp # over TLS\n";

  @TempDir Path dir;

  private Path state() {
    return dir.resolve("state");
  }

  private void openssl(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("openssl"));
    argv.addAll(List.of(args));
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("%s: %s", argv, output).isZero();
  }

  /** A self-signed certificate for the gateway's address, and its key. */
  private Path[] certificate(String name) throws Exception {
    Path cert = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=gateway.test",
        "-addext",
        "subjectAltName=IP:" + Topology.GATEWAY_WAN,
        "-keyout",
        key.toString(),
        "-out",
        cert.toString());
    return new Path[] {cert, key};
  }

  private CommandResult watchOnce(Topology topology, Path table, Path cert, Path key) {
    return PortfwdJar.runIn(
        topology,
        "gateway",
        "watch",
        "--state-dir",
        state().toString(),
        "--no-control",
        "--http",
        Topology.GATEWAY_WAN + ":" + PORT,
        "--tls-cert",
        cert.toString(),
        "--tls-key",
        key.toString(),
        table.toString());
  }

  private static CommandResult curl(Topology topology, String... args) {
    List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
    argv.addAll(List.of(args));
    return topology.exec("client", argv.toArray(String[]::new));
  }

  @Test
  void servesTheDashboardOverTlsWithASecureCookieAndRefusesAKeyOfAnotherCertificate()
      throws Exception {
    Path table = Files.writeString(dir.resolve("ports.txt"), TABLE);
    Path[] pair = certificate("gateway");
    Path[] other = certificate("other");
    CommandResult passwd =
        PortfwdJar.run(PASSWORD + "\n", "passwd", "--stdin", "--state-dir", state().toString());
    assertThat(passwd.exitCode()).as(passwd.stderr()).isZero();
    try (Topology topology = Topology.reference()) {
      CommandResult wrongKey = watchOnce(topology, table, pair[0], other[1]);
      assertThat(wrongKey.exitCode()).isNotZero();
      assertThat(wrongKey.stderr())
          .contains(other[1] + " is not the private key of the certificate in " + pair[0]);
      Path missing = dir.resolve("missing.key");
      CommandResult missingKey = watchOnce(topology, table, pair[0], missing);
      assertThat(missingKey.exitCode()).isNotZero();
      assertThat(missingKey.stderr()).contains(missing.toString());
      assertThat(topology.portfwdRules("gateway"))
          .as("nothing applied by a watch that could not serve its TLS")
          .isEqualTo("(no portfwd table)");

      Path log = dir.resolve("watch.log");
      Process watch =
          PortfwdJar.startWatchWithDashboard(
              topology,
              log,
              state(),
              PORT,
              table,
              "--tls-cert",
              pair[0].toString(),
              "--tls-key",
              pair[1].toString());
      try {
        assertThat(Conditions.read(log)).contains("dashboard at " + BASE + "/");

        CommandResult untrusted = curl(topology, "-o", "/dev/null", BASE + "/login");
        assertThat(untrusted.exitCode())
            .as("a client that does not trust the certificate: %s", untrusted.stderr())
            .isEqualTo(60);
        CommandResult plain =
            curl(
                topology,
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "http://" + Topology.GATEWAY_WAN + ":" + PORT + "/login");
        assertThat(plain.stdout()).as("plain HTTP gets no page").isNotEqualTo("200");

        Path cookies = dir.resolve("cookies.txt");
        CommandResult login =
            curl(
                topology,
                "--cacert",
                pair[0].toString(),
                "-D",
                "-",
                "-o",
                "/dev/null",
                "-c",
                cookies.toString(),
                "--data-urlencode",
                "password=" + PASSWORD,
                BASE + "/login");
        assertThat(login.exitCode()).as(login.stderr()).isZero();
        String setCookie =
            login
                .stdout()
                .lines()
                .filter(line -> line.regionMatches(true, 0, "Set-Cookie:", 0, 11))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no cookie in\n" + login.stdout()));
        assertThat(login.stdout()).startsWith("HTTP/1.1 303");
        assertThat(setCookie)
            .contains(Dashboard.COOKIE + "=")
            .contains("HttpOnly")
            .contains("SameSite=Strict")
            .contains("Secure");

        CommandResult forwards =
            curl(
                topology,
                "--cacert",
                pair[0].toString(),
                "-b",
                cookies.toString(),
                "-w",
                "\n%{http_code}",
                BASE + "/api/v1/forwards");
        assertThat(forwards.stdout()).as(forwards.stderr()).endsWith("\n200").contains("13102");
        CommandResult anonymous =
            curl(
                topology,
                "--cacert",
                pair[0].toString(),
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                BASE + "/api/v1/forwards");
        assertThat(anonymous.stdout()).isEqualTo("401");
        CommandResult metrics = curl(topology, "--cacert", pair[0].toString(), BASE + "/metrics");
        assertThat(metrics.stdout()).contains("portfwd_forwards 1");
        assertThat(Conditions.read(log)).doesNotContain(PASSWORD);
      } finally {
        watch.destroy();
        watch.waitFor(20, TimeUnit.SECONDS);
        watch.destroyForcibly();
      }
    }
  }
}
