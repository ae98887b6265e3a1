package dev.portfwd.state;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Starts the timer as {@code setsid -f COMMAND --state-dir DIR --id ID}: {@code setsid}
 * (util-linux) puts it in a session of its own with no controlling terminal, so the hang-up of an
 * SSH session never reaches it, and {@code -f} forks so it is no child of the apply process either.
 * Its standard input is {@code /dev/null} and its output goes to {@link StateStore#timerLog}: a
 * terminal that goes away cannot block or kill it.
 */
public final class DetachedTimerLauncher implements TimerLauncher {

  /** The heap of a timer guarding no forwards: the JVM, picocli, one small plan. */
  static final int BASE_HEAP_MB = 96;

  /**
   * Heap per forward the rollback may read (restored plus in force). The worst case is a plan that
   * lists the kernel: at 100,000 + 100,000 forwards nftables' listing needed 320 MB and iptables'
   * dump at most 640 MB (bench/RESULTS.md, "rollback timer heap"); this leaves room above both.
   */
  static final int HEAP_KB_PER_FORWARD = 4;

  private final IntFunction<List<String>> command;
  private final Duration armTimeout;

  /**
   * @param command the argv that runs portfwd's hidden {@code rollback-timer} command, for a timer
   *     guarding that many forwards
   * @param armTimeout how long to wait for the timer to report in (JVM start on a busy host)
   */
  public DetachedTimerLauncher(IntFunction<List<String>> command, Duration armTimeout) {
    this.command = command;
    this.armTimeout = armTimeout;
  }

  /**
   * The argv running {@code mainClass SUBCOMMAND} on this JVM with this JVM's class path, with a
   * heap for a rollback that reads {@code forwards} forwards.
   */
  public static List<String> javaCommand(String mainClass, String subcommand, int forwards) {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A timer that sleeps and then runs one transaction needs no optimising JIT. Its heap limit is
    // sized for the plan it may have to make; the heap in use stays small while it waits.
    argv.addAll(
        List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx" + maxHeapMegabytes(forwards) + "m",
            "-cp",
            absoluteClassPath()));
    argv.add(mainClass);
    argv.add(subcommand);
    return argv;
  }

  /** The timer's heap limit for a rollback that reads {@code forwards} forwards. */
  static long maxHeapMegabytes(int forwards) {
    return BASE_HEAP_MB + ((long) Math.max(0, forwards) * HEAP_KB_PER_FORWARD + 1023) / 1024;
  }

  private static String absoluteClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  @Override
  public void launch(StateStore store, String id, int forwards) throws IOException {
    Path setsid = findSetsid();
    List<String> argv = new ArrayList<>(List.of(setsid.toString(), "-f"));
    argv.addAll(command.apply(forwards));
    argv.addAll(List.of("--state-dir", store.dir().toString(), "--id", id));
    Path log = store.timerLog();
    Process starter =
        new ProcessBuilder(argv)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long deadline = System.nanoTime() + armTimeout.toNanos();
    try {
      starter.waitFor(); // setsid -f returns as soon as it forked
      if (starter.exitValue() != 0) {
        throw new IOException(
            "setsid failed to start the rollback timer (exit "
                + starter.exitValue()
                + "); see "
                + log);
      }
      while (!Files.exists(store.armedMarker(id))) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "the rollback timer did not start within "
                  + armTimeout.toSeconds()
                  + " s; see "
                  + log);
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the rollback timer", e);
    }
  }

  private static Path findSetsid() throws IOException {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path candidate = Path.of(dir, "setsid");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IOException(
        "--confirm needs setsid to keep its rollback timer alive without the terminal;"
            + " install util-linux");
  }
}
