package dev.portfwd.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.portfwd.host.SystemPrograms;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether a test may run what it needs: root and network namespaces for end-to-end tests,
 * and the programs a test runs. Outside CI a test that cannot have them is skipped with a message
 * naming what to install; in CI (any non-empty {@code CI}, as CI services set it) it fails instead,
 * since a skipped test there would hide a missing install step.
 */
public final class KernelAccess {

  /**
   * Debian packages of the programs tests run that portfwd itself never does ({@link
   * SystemPrograms#debianPackage} knows portfwd's own).
   */
  private static final Map<String, String> TEST_PACKAGES =
      Map.ofEntries(
          Map.entry("ping", "iputils-ping"),
          Map.entry("promtool", "prometheus"),
          Map.entry("systemd-analyze", "systemd"),
          Map.entry("curl", "curl"),
          Map.entry("openssl", "openssl"),
          Map.entry("chromium", "chromium"),
          Map.entry("dnsmasq", "dnsmasq-base"),
          Map.entry("keepalived", "keepalived"),
          Map.entry("conntrackd", "conntrackd"));

  /** What a program's name looks like in a script (not a path, not a quoted word). */
  private static final Pattern PROGRAM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private KernelAccess() {}

  /**
   * Skips the calling test (or fails it in CI) unless network namespaces can be created and each of
   * {@code programs} is installed.
   */
  public static void require(String... programs) {
    String problem = problem();
    if (problem != null) {
      stop(
          "end-to-end tests must run in CI but cannot: " + problem,
          "skipping end-to-end test: " + problem + " (run as root, as CI does)");
    }
    requirePrograms(programs);
  }

  /**
   * Skips the calling test (or fails it in CI) unless each of {@code programs} is installed in the
   * system folders portfwd takes programs from; the message names the Debian packages to install.
   */
  public static void requirePrograms(String... programs) {
    List<String> missing = new ArrayList<>();
    Set<String> packages = new LinkedHashSet<>();
    for (String program : programs) {
      if (SystemPrograms.locate(program).isEmpty()) {
        missing.add(program);
        packages.add(debianPackage(program).orElse(program));
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String what =
        String.join(", ", missing)
            + (missing.size() == 1 ? " is" : " are")
            + " not installed (apt-get install "
            + String.join(" ", packages)
            + ")";
    stop(
        "a test needs " + what + "; CI must install it (bin/quickstart test does)",
        "skipping: this test needs " + what);
  }

  /**
   * Skips the calling test (or fails it in CI) unless {@code works}: for a kernel feature the
   * installed programs cannot supply ({@code problem} says which and why).
   */
  public static void requireWorking(boolean works, String problem) {
    if (!works) {
      stop(
          "a test needs what this machine lacks: " + problem,
          "skipping: " + problem + " (CI fails here instead)");
    }
  }

  /**
   * {@link #requirePrograms} for the programs a shell script runs: the first word of each command
   * in it (after {@code |}, {@code ;}, {@code &&}, past {@code timeout N}, {@code exec} and
   * variable assignments), where portfwd knows its package.
   */
  public static void requireIn(String script) {
    requirePrograms(programsIn(script).toArray(String[]::new));
  }

  /** The programs {@code script} runs whose Debian package is known, in order of appearance. */
  static Set<String> programsIn(String script) {
    Set<String> programs = new LinkedHashSet<>();
    for (String command : script.split("[|;&()]+")) {
      List<String> words = new ArrayList<>(List.of(command.strip().split("\\s+")));
      while (!words.isEmpty()
          && (words.get(0).equals("exec")
              || words.get(0).contains("=")
              || words.get(0).equals("timeout"))) {
        if (words.remove(0).equals("timeout") && !words.isEmpty()) {
          words.remove(0);
        }
      }
      if (!words.isEmpty()
          && PROGRAM.matcher(words.get(0)).matches()
          && debianPackage(words.get(0)).isPresent()) {
        programs.add(words.get(0));
      }
    }
    return programs;
  }

  /** The Debian package that installs {@code program}, if known. */
  public static Optional<String> debianPackage(String program) {
    return Optional.ofNullable(TEST_PACKAGES.get(program))
        .or(() -> SystemPrograms.debianPackage(program));
  }

  /**
   * The Debian packages of every program a test or portfwd runs that {@link #debianPackage} knows:
   * what {@code bin/quickstart test} must install.
   */
  static Set<String> knownPackages() {
    Set<String> packages = new TreeSet<>(TEST_PACKAGES.values());
    packages.addAll(SystemPrograms.debianPackages());
    return packages;
  }

  /** True when {@code CI} has any non-empty value: then nothing may be skipped. */
  public static boolean inCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isEmpty();
  }

  private static void stop(String inCi, String outsideCi) {
    if (inCi()) {
      fail(inCi);
    }
    Assumptions.abort(outsideCi);
  }

  private static String problem() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not running as root";
    }
    if (SystemPrograms.locate("ip").isEmpty()) {
      return "ip is not installed (apt-get install iproute2)";
    }
    try {
      Process probe =
          new ProcessBuilder(SystemPrograms.locate("ip").get().toString(), "netns", "list")
              .redirectErrorStream(true)
              .start();
      probe.getInputStream().readAllBytes();
      if (probe.waitFor() != 0) {
        return "'ip netns' does not work here";
      }
    } catch (IOException e) {
      return "'ip netns list' cannot run: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    return null;
  }
}
