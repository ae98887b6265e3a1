package dev.portfwd.host;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces made for a while (the demo, a test topology) and the processes started in
 * them, with the one way to get rid of them all: {@link #close}, or a shutdown hook when the JVM is
 * stopped first (Ctrl-C). Processes go first, also those that others started inside a namespace (a
 * command under test, a web server): a namespace with a process in it outlives {@code ip netns
 * del}. Adding or starting anything after clean-up began fails, so a Ctrl-C during set-up leaves
 * nothing behind.
 */
public final class ThrowawayNamespaces implements AutoCloseable {

  private static final long EXIT_WAIT_SECONDS = 5;

  private final CommandRunner host;
  private final List<String> names = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Thread cleanupHook;
  private boolean closed;

  /**
   * @param purpose names the shutdown hook's thread, for thread dumps
   */
  public ThrowawayNamespaces(CommandRunner host, String purpose) {
    this.host = host;
    this.cleanupHook = new Thread(this::deleteEverything, purpose + "-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanupHook);
  }

  /** Creates namespace {@code name} with its loopback up. */
  public synchronized void add(String name) throws IOException {
    requireOpen();
    run(List.of("ip", "netns", "add", name));
    names.add(name);
    run(List.of("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"));
  }

  /** Starts {@code argv} inside namespace {@code name}, output discarded; it dies at clean-up. */
  public synchronized Process spawn(String name, List<String> argv) throws IOException {
    requireOpen();
    List<String> command =
        new ArrayList<>(List.of(ProcessCommandRunner.locate("ip"), "netns", "exec", name));
    command.add(ProcessCommandRunner.locate(argv.get(0)));
    command.addAll(argv.subList(1, argv.size()));
    Process process =
        ProcessCommandRunner.builder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    processes.add(process);
    return process;
  }

  private void requireOpen() throws IOException {
    if (closed) {
      throw new IOException("the namespaces are being deleted");
    }
  }

  private void run(List<String> argv) throws IOException {
    CommandResult result = host.run(argv);
    if (!result.succeeded()) {
      throw new IOException(result.describeFailure());
    }
  }

  /** Kills every process started here or found in the namespaces, then deletes the namespaces. */
  @Override
  public void close() {
    deleteEverything();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; it does the same work.
    }
  }

  private synchronized void deleteEverything() {
    // A test's time limit or Ctrl-C may interrupt the thread that cleans up; every 'ip netns del'
    // would then fail at once and leak the namespaces. Clean up first, then pass the interrupt on.
    boolean interrupted = Thread.interrupted();
    try {
      deleteAll();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void deleteAll() {
    closed = true;
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      awaitExit(process.toHandle());
    }
    processes.clear();
    for (String name : names) {
      try {
        CommandResult pids = host.run(List.of("ip", "netns", "pids", name));
        for (String pid : pids.stdout().split("\\s+")) {
          if (!pid.isBlank()) {
            ProcessHandle.of(Long.parseLong(pid.strip()))
                .ifPresent(
                    p -> {
                      p.destroyForcibly();
                      awaitExit(p);
                    });
          }
        }
        host.run(List.of("ip", "netns", "del", name));
      } catch (IOException | RuntimeException e) {
        // Keep deleting the others.
      }
    }
    names.clear();
  }

  private static void awaitExit(ProcessHandle process) {
    process
        .onExit()
        .orTimeout(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)
        .exceptionally(timedOut -> null)
        .join();
  }
}
