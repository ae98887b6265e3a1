package dev.portfwd.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs programs as child processes, the one place portfwd starts them. Programs are taken only from
 * the system folders and run by absolute path, with those folders as their {@code PATH} (see {@link
 * SystemPrograms}); each runs under a time limit (see {@link CommandRunner}). {@code prefix} is put
 * before every argv, e.g. {@code ip netns exec NAME} so that tests and the demo act inside a
 * network namespace.
 */
public final class ProcessCommandRunner implements CommandRunner {

  /** How long the rest of a finished program's output may take to arrive. */
  private static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);

  /** How long a killed program may take to be gone. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

  private final List<String> prefix;

  public ProcessCommandRunner() {
    this(List.of());
  }

  public ProcessCommandRunner(List<String> prefix) {
    this.prefix = List.copyOf(prefix);
  }

  /** A runner whose programs run inside network namespace {@code name}. */
  public static ProcessCommandRunner inNamespace(String name) {
    return new ProcessCommandRunner(List.of("ip", "netns", "exec", name));
  }

  @Override
  public CommandResult run(List<String> argv, String stdin) throws IOException {
    return run(argv, stdin, CommandRunner.timeoutFor(stdin));
  }

  @Override
  public CommandResult run(List<String> argv, String stdin, Duration timeout) throws IOException {
    List<String> command = new ArrayList<>();
    if (!prefix.isEmpty()) {
      command.add(locate(prefix.get(0)));
      command.addAll(prefix.subList(1, prefix.size()));
    }
    command.add(locate(argv.get(0)));
    command.addAll(argv.subList(1, argv.size()));
    Process process = builder(command).start();
    // Read both outputs and write stdin on threads of their own: a large ruleset would otherwise
    // deadlock on a full pipe, and a program that never reads must not block us past the limit.
    Drain out = Drain.start(process.getInputStream());
    Drain err = Drain.start(process.getErrorStream());
    feed(process, stdin);
    try {
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        stopTree(process);
        throw CommandException.timedOut(argv, timeout);
      }
      // The program is done. Its outputs end with it even when a child it left running holds
      // them (the JDK takes what is left in the pipes at exit); the wait is bounded all the same.
      return new CommandResult(
          argv, process.exitValue(), out.text(OUTPUT_GRACE), err.text(OUTPUT_GRACE));
    } catch (InterruptedException e) {
      stopTree(process);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + argv.get(0), e);
    }
  }

  @Override
  public boolean isInstalled(String program) {
    return SystemPrograms.locate(program).isPresent();
  }

  /** True without a prefix: a prefix ({@code ip netns exec}) may enter another namespace. */
  @Override
  public boolean actsInThisProcessNetworkNamespace() {
    return prefix.isEmpty();
  }

  /**
   * A builder for {@code command} (its program already an absolute path) with {@link
   * SystemPrograms#SEARCH_PATH} as {@code PATH}, so a program it runs in turn is found there too.
   */
  static ProcessBuilder builder(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("PATH", SystemPrograms.SEARCH_PATH);
    return builder;
  }

  /** The absolute path {@code program} runs from. */
  static String locate(String program) throws CommandException {
    return SystemPrograms.locate(program)
        .orElseThrow(() -> CommandException.notInstalled(program))
        .toString();
  }

  /** Kills {@code process} and every process it started that still runs, and waits a little. */
  private static void stopTree(Process process) {
    // Descendants first in the list, taken before the parent dies and its children move to init.
    List<ProcessHandle> tree = process.descendants().toList();
    process.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void feed(Process process, String stdin) {
    byte[] bytes = stdin.getBytes(StandardCharsets.UTF_8);
    daemon(
        "stdin",
        () -> {
          try (OutputStream in = process.getOutputStream()) {
            in.write(bytes);
          } catch (IOException brokenPipe) {
            // The program exited (or was killed) without reading all of it; its exit code and
            // stderr say why.
          }
        });
  }

  // A thread per stream: the common pool has one worker on a 2-core machine, and two drains queued
  // behind each other deadlock once the second pipe fills.
  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Everything one output of a program wrote, read on a thread of its own until end of file. */
  private static final class Drain {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CountDownLatch done = new CountDownLatch(1);

    static Drain start(InputStream stream) {
      Drain drain = new Drain();
      daemon(
          "drain",
          () -> {
            byte[] buffer = new byte[8192];
            try (stream) {
              for (int n; (n = stream.read(buffer)) >= 0; ) {
                synchronized (drain.bytes) {
                  drain.bytes.write(buffer, 0, n);
                }
              }
            } catch (IOException e) {
              // The pipe broke: keep what was read.
            } finally {
              drain.done.countDown();
            }
          });
      return drain;
    }

    /** The text read by the end of the output, or by {@code wait} if the output stays open. */
    String text(Duration wait) throws InterruptedException {
      done.await(wait.toNanos(), TimeUnit.NANOSECONDS);
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
