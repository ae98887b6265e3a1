package dev.portfwd.testing;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.ProcessCommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the built portfwd jar as a user would, optionally inside a test namespace. Used by the
 * {@code *IT} classes, which Maven runs after {@code package} (failsafe), so the jar exists.
 */
public final class PortfwdJar {

  /** The state directory of jar runs that do not name one; {@code mvn clean} deletes it. */
  private static final Path IT_STATE_DIR = Path.of("target", "it-state").toAbsolutePath();

  /** The control socket of jar runs that do not name one: never the host's /run/portfwd. */
  private static final Path IT_CONTROL =
      Path.of("target", "it-control", "portfwd.sock").toAbsolutePath();

  private PortfwdJar() {}

  /** The shaded jar Maven built; fails the test with a hint when it is missing. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("portfwd.jar", "target/portfwd.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " is missing; run the *IT tests through 'mvn verify'");
    }
    return jar;
  }

  /** The argv that starts portfwd with {@code args}. */
  public static List<String> command(String... args) {
    List<String> argv = new ArrayList<>();
    // Never the host's /var/lib/portfwd: what a test applies in a namespace is no state of the
    // machine's. Tests that check state pass their own --state-dir, which wins over this.
    argv.add("/usr/bin/env");
    argv.add("PORTFWD_STATE_DIR=" + IT_STATE_DIR);
    argv.add("PORTFWD_CONTROL=" + IT_CONTROL);
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-XX:TieredStopAtLevel=1");
    argv.add("-XX:+UseSerialGC");
    argv.add("-jar");
    argv.add(jar().toString());
    argv.addAll(List.of(args));
    return argv;
  }

  /**
   * The argv that starts portfwd with {@code args} inside {@code role}'s namespace of {@code
   * topology}, for a process the test starts and watches itself.
   */
  public static List<String> commandIn(Topology topology, String role, String... args) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace(role)));
    argv.addAll(command(args));
    return argv;
  }

  /**
   * Starts portfwd with {@code args} inside {@code role}'s namespace of {@code topology}, both its
   * output streams going to {@code log}; the test waits for it and ends it.
   */
  public static Process startIn(Topology topology, String role, Path log, String... args)
      throws IOException {
    return new ProcessBuilder(commandIn(topology, role, args))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /**
   * Starts {@code portfwd watch} of {@code table} in the gateway of {@code topology}, serving the
   * dashboard on the wan address's {@code port} without a control socket, with {@code options}
   * before the table and its output in {@code log}, and waits until it watches. The test ends it.
   */
  public static Process startWatchWithDashboard(
      Topology topology, Path log, Path stateDir, int port, Path table, String... options)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "watch",
                "--state-dir",
                stateDir.toString(),
                "--no-control",
                "--http",
                Topology.GATEWAY_WAN + ":" + port));
    args.addAll(List.of(options));
    args.add(table.toString());
    Process watch = startIn(topology, "gateway", log, args.toArray(String[]::new));
    try {
      Conditions.await(
          "watch serves the dashboard",
          Duration.ofSeconds(60),
          () -> Conditions.read(log).contains("watching"));
    } catch (AssertionError | InterruptedException | RuntimeException e) {
      watch.destroyForcibly();
      throw e;
    }
    return watch;
  }

  /** Runs portfwd in the test's own namespace with {@code stdin} and waits for it. */
  public static CommandResult run(String stdin, String... args) {
    return run(new ProcessCommandRunner(), stdin, args);
  }

  /** Runs portfwd inside {@code role}'s namespace of {@code topology} and waits for it. */
  public static CommandResult runIn(Topology topology, String role, String... args) {
    return run(topology.runner(role), "", args);
  }

  private static CommandResult run(ProcessCommandRunner runner, String stdin, String... args) {
    try {
      return runner.run(command(args), stdin, Topology.COMMAND_LIMIT);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
