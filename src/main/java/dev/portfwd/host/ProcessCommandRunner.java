package dev.portfwd.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs programs as child processes, the one place portfwd starts them. Programs are taken only from
 * the system folders and run by absolute path, with those folders as their {@code PATH} (see {@link
 * SystemPrograms}). {@code prefix} is put before every argv, e.g. {@code ip netns exec NAME} so
 * that tests and the demo act inside a network namespace.
 */
public final class ProcessCommandRunner implements CommandRunner {

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
    List<String> command = new ArrayList<>();
    if (!prefix.isEmpty()) {
      command.add(locate(prefix.get(0)));
      command.addAll(prefix.subList(1, prefix.size()));
    }
    command.add(locate(argv.get(0)));
    command.addAll(argv.subList(1, argv.size()));
    Process process = builder(command).start();
    // Read both outputs while writing stdin: a large ruleset would otherwise deadlock on a full
    // pipe.
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException brokenPipe) {
      // The program exited without reading its input; its exit code and stderr say why.
    }
    try {
      int exit = process.waitFor();
      return new CommandResult(argv, exit, out.join(), err.join());
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + argv.get(0), e);
    }
  }

  @Override
  public boolean isInstalled(String program) {
    return SystemPrograms.locate(program).isPresent();
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

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        // A thread per stream: the common pool has one worker on a 2-core machine, and two
        // drains queued behind each other deadlock once the second pipe fills.
        task -> {
          Thread thread = new Thread(task, "drain");
          thread.setDaemon(true);
          thread.start();
        });
  }
}
