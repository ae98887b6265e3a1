package dev.portfwd.host;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs programs as child processes. {@code prefix} is put before every argv, e.g. {@code ip netns
 * exec NAME} so that tests and the demo act inside a network namespace.
 */
public final class ProcessCommandRunner implements CommandRunner {

  /** Where the tools live on Debian, RHEL and Ubuntu even when PATH lacks the sbin folders. */
  private static final List<String> EXTRA_PATH = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

  private final List<String> prefix;

  public ProcessCommandRunner() {
    this(List.of());
  }

  public ProcessCommandRunner(List<String> prefix) {
    this.prefix = List.copyOf(prefix);
  }

  /** A runner whose programs run inside network namespace {@code name}. */
  public static ProcessCommandRunner inNamespace(String name) {
    return new ProcessCommandRunner(List.of(resolve("ip"), "netns", "exec", name));
  }

  @Override
  public CommandResult run(List<String> argv, String stdin) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(prefix.isEmpty() ? resolve(argv.get(0)) : argv.get(0));
    command.addAll(argv.subList(1, argv.size()));
    Process process = new ProcessBuilder(command).start();
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
    return !resolve(program).equals(program) || program.contains("/");
  }

  /** The absolute path of {@code program} on PATH plus the sbin folders, or the name itself. */
  static String resolve(String program) {
    if (program.contains("/")) {
      return program;
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(EXTRA_PATH);
    for (String dir : dirs) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return candidate.toString();
      }
    }
    return program;
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
