package dev.portfwd.relay;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code portfwd relay} process in the gateway namespace of a test topology, with its log in a
 * file the test can read, and the helper programs of {@link RelayTestTool}.
 */
final class RelayProcess {

  private final Topology topology;
  private final Process process;
  private final Path log;

  private RelayProcess(Topology topology, Process process, Path log) {
    this.topology = topology;
    this.process = process;
    this.log = log;
  }

  /** Starts the relay on {@code table} with {@code options}; waits until {@code port} listens. */
  static RelayProcess start(
      Topology topology, Path table, String protocol, int port, String... options) {
    return start(topology, table, protocol, port, List.of(), options);
  }

  /**
   * Starts the relay with {@code jvmOptions} too (through JAVA_TOOL_OPTIONS, which the JVM
   * announces on standard error, so in the log).
   */
  static RelayProcess start(
      Topology topology,
      Path table,
      String protocol,
      int port,
      List<String> jvmOptions,
      String... options) {
    return launch(topology, table, protocol, port, jvmOptions, 0, options);
  }

  /** Starts the relay with at most {@code openFiles} file descriptors (soft and hard limit). */
  static RelayProcess startWithFileLimit(
      Topology topology, Path table, String protocol, int port, int openFiles, String... options) {
    return launch(topology, table, protocol, port, List.of(), openFiles, options);
  }

  /** Starts the relay on {@code table} and returns at once, before it has even read the table. */
  static RelayProcess spawn(Topology topology, Path table, String... options) {
    return spawn(topology, table, List.of(), 0, options);
  }

  private static RelayProcess launch(
      Topology topology,
      Path table,
      String protocol,
      int port,
      List<String> jvmOptions,
      int openFiles,
      String... options) {
    RelayProcess relay = spawn(topology, table, jvmOptions, openFiles, options);
    try {
      topology.awaitListening("gateway", protocol, port, Duration.ofSeconds(20));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; relay log:\n" + relay.log(), e);
    }
    return relay;
  }

  private static RelayProcess spawn(
      Topology topology, Path table, List<String> jvmOptions, int openFiles, String... options) {
    List<String> args = new ArrayList<>(List.of("relay", table.toString()));
    args.addAll(List.of(options));
    Path log = table.resolveSibling(table.getFileName() + ".log");
    List<String> argv = new ArrayList<>(PortfwdJar.command(args.toArray(String[]::new)));
    if (!jvmOptions.isEmpty()) {
      // PortfwdJar.command starts with /usr/bin/env: its variables come right after it.
      argv.add(1, "JAVA_TOOL_OPTIONS=" + String.join(" ", jvmOptions));
    }
    // The JVM raises its soft file limit to the hard one by itself (-XX:+MaxFDLimit).
    String command =
        (openFiles > 0 ? "ulimit -n " + openFiles + " && " : "")
            + "exec "
            + shell(argv)
            + " 2>"
            + log
            + " >>"
            + log;
    Process process = topology.spawn("gateway", "sh", "-c", command);
    return new RelayProcess(topology, process, log);
  }

  /**
   * The argv that runs {@link RelayTestTool} with {@code args}, with its file limit at the hard
   * limit (the JVM raises it).
   */
  static List<String> tool(String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-cp",
                testClasses() + ":" + PortfwdJar.jar(),
                RelayTestTool.class.getName()));
    argv.addAll(List.of(args));
    return argv;
  }

  /**
   * Starts {@link RelayTestTool}'s TCP+UDP echo in the backend namespace on {@code plainPorts}, and
   * one on {@code proxyPorts} that reads a PROXY header first and echoes it as text; waits until
   * the first port of each list listens for TCP and UDP.
   */
  static void startEchoBackends(Topology topology, String plainPorts, String proxyPorts) {
    topology.spawn("backend", tool("echo", plainPorts).toArray(String[]::new));
    topology.spawn("backend", tool("echo", proxyPorts, "proxy").toArray(String[]::new));
    for (String ports : List.of(plainPorts, proxyPorts)) {
      int first = Integer.parseInt(ports.split("[,-]")[0]);
      topology.awaitListening("backend", "tcp", first, Duration.ofSeconds(20));
      topology.awaitListening("backend", "udp", first, Duration.ofSeconds(20));
    }
  }

  /**
   * The answer that a UDP socket in {@code role}'s namespace, bound to {@code sourcePort} (0: any)
   * and connected to {@code host:port}, receives for one datagram of {@code text}, as soon as it
   * comes; empty when none came within {@code seconds}.
   */
  static String udpReply(
      Topology topology,
      String role,
      String host,
      int port,
      int sourcePort,
      String text,
      int seconds) {
    CommandResult result =
        topology.exec(
            role,
            tool(
                    "reply",
                    host,
                    Integer.toString(port),
                    Integer.toString(sourcePort),
                    text,
                    Integer.toString(seconds))
                .toArray(String[]::new));
    if (!result.succeeded()) {
      throw new AssertionError("the UDP client failed: " + result.stderr());
    }
    return result.stdout();
  }

  private static String testClasses() {
    try {
      return Path.of(
              RelayTestTool.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String shell(List<String> argv) {
    StringBuilder line = new StringBuilder();
    for (String arg : argv) {
      line.append(line.length() > 0 ? " " : "")
          .append('\'')
          .append(arg.replace("'", "'\\''"))
          .append('\'');
    }
    return line.toString();
  }

  long pid() {
    return process.pid();
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  void signal(String name) {
    topology.sh("gateway", "kill -" + name + " " + pid());
  }

  /** Waits for {@code text} to appear in the log. */
  void awaitLog(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!log().contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("relay log never said '" + text + "':\n" + log());
      }
      // Often: a test may have to act within the few milliseconds after a line.
      Thread.sleep(2);
    }
  }

  /** The relay process's resident memory in KiB. */
  long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new AssertionError("relay process " + pid() + " is gone; log:\n" + log(), e);
    }
    throw new AssertionError("no VmRSS for " + pid());
  }

  /** Open file descriptors of the relay process. */
  int openFiles() {
    String[] fds = Path.of("/proc", Long.toString(pid()), "fd").toFile().list();
    if (fds == null) {
      throw new AssertionError("relay process " + pid() + " is gone; log:\n" + log());
    }
    return fds.length;
  }

  /** Waits for the process to exit and returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("relay did not exit within " + timeout + "; log:\n" + log());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }
}
