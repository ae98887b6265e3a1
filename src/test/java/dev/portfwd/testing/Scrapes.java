package dev.portfwd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Fetches a {@code /metrics} page from inside a test namespace and holds it to Prometheus's own
 * checker, {@code promtool check metrics}.
 */
public final class Scrapes {

  private Scrapes() {}

  /**
   * The whole response (status line, headers, body; line ends as {@code \n}) of {@code GET path} on
   * {@code 127.0.0.1:port} from inside {@code role}'s namespace, over bash's /dev/tcp.
   */
  public static String fetch(Topology topology, String role, int port, String path, String accept) {
    String request =
        "GET " + path + " HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\nAccept: " + accept + "\\r\\n\\r\\n";
    CommandResult result =
        topology.exec(
            role,
            "timeout",
            "10",
            "bash",
            "-c",
            "exec 3<>/dev/tcp/127.0.0.1/" + port + " && printf '" + request + "' >&3 && cat <&3");
    assertThat(result.succeeded()).as("fetch %s: %s", path, result.stderr()).isTrue();
    return result.stdout().replace("\r\n", "\n");
  }

  /** The body of a response {@link #fetch} returned. */
  public static String body(String response) {
    int end = response.indexOf("\n\n");
    return end < 0 ? "" : response.substring(end + 2);
  }

  /**
   * Asserts that {@code promtool check metrics} accepts {@code text}; fails in CI without promtool
   * (Debian's prometheus package), skips naming the package elsewhere.
   */
  public static void promtoolAccepts(Path dir, String text)
      throws IOException, InterruptedException {
    boolean installed =
        new ProcessBuilder("sh", "-c", "command -v promtool").start().waitFor() == 0;
    if (!installed) {
      if (System.getenv("CI") != null && !System.getenv("CI").isEmpty()) {
        throw new AssertionError(
            "promtool is missing: install Debian's 'prometheus' package (.ci/run does)");
      }
      Assumptions.abort("promtool is not installed (Debian's 'prometheus' package)");
    }
    Path file = Files.writeString(Files.createTempFile(dir, "metrics", ".txt"), text);
    Process promtool =
        new ProcessBuilder("promtool", "check", "metrics")
            .redirectInput(file.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(promtool.getInputStream().readAllBytes());
    assertThat(promtool.exitValue()).as("promtool check metrics:\n%s\n%s", output, text).isZero();
  }
}
