package dev.portfwd.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether end-to-end tests may touch the kernel. On a laptop without root they skip with a
 * message saying why; in CI ({@code CI=true}) missing root is a failure, never a skip.
 */
public final class KernelAccess {

  private KernelAccess() {}

  /** Skips the calling test (or fails it in CI) unless network namespaces can be created. */
  public static void require() {
    String problem = problem();
    if (problem == null) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("end-to-end tests must run in CI but cannot: " + problem);
    }
    Assumptions.abort("skipping end-to-end test: " + problem + " (run as root, as CI does)");
  }

  private static String problem() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not running as root";
    }
    try {
      Process probe = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      if (probe.waitFor() != 0) {
        return "'ip netns' does not work here";
      }
    } catch (IOException e) {
      return "'ip' (iproute2) is not installed";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    return null;
  }
}
