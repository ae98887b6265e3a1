package dev.portfwd.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kernel parameters ({@code net.ipv4.ip_forward}) read and written as the files under {@code
 * /proc/sys} they are, so no {@code sysctl} program (procps, absent from minimal systems) is
 * needed.
 *
 * <p>A file under {@code /proc/sys/net} shows the network namespace of the process that opens it.
 * When the runner acts in this JVM's own namespace, the files are read and written directly; when
 * it enters another one ({@code ip netns exec}: the demo, tests), through {@code grep} and {@code
 * tee} run by that runner (both essential Debian packages, always installed), so a namespaced
 * caller never reads, let alone writes, this host's values.
 */
public final class ProcSys {

  /** Where the kernel shows its parameters. */
  public static final Path ROOT = Path.of("/proc/sys");

  private final Optional<CommandRunner> through;
  private final Path root;

  private ProcSys(Optional<CommandRunner> through, Path root) {
    this.through = through;
    this.root = root;
  }

  /** The parameters of the network namespace {@code runner}'s programs run in. */
  public static ProcSys of(CommandRunner runner) {
    return runner.actsInThisProcessNetworkNamespace()
        ? new ProcSys(Optional.empty(), ROOT)
        : new ProcSys(Optional.of(runner), ROOT);
  }

  /** Parameters kept as files under {@code root} (tests: a temporary directory). */
  static ProcSys files(Path root) {
    return new ProcSys(Optional.empty(), root);
  }

  /**
   * The file of {@code key} under {@code root}: dots separate folders, and a slash in a key stands
   * for a dot in a name (an interface {@code eth0.5}), as {@code sysctl} writes them.
   *
   * @throws IllegalArgumentException for a key with an empty, {@code .} or {@code ..} part
   */
  public static Path path(Path root, String key) {
    Path path = root;
    for (String part : key.split("\\.", -1)) {
      String name = part.replace('/', '.');
      if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("not a kernel parameter: " + key);
      }
      path = path.resolve(name);
    }
    return path;
  }

  /**
   * The values of {@code keys} (trimmed), in their order; a key that does not exist or cannot be
   * read is left out.
   *
   * @throws IOException when the program that reads them in another namespace cannot run
   */
  public Map<String, String> read(Collection<String> keys) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    if (through.isEmpty()) {
      for (String key : keys) {
        try {
          values.put(key, Files.readString(path(root, key), StandardCharsets.UTF_8).strip());
        } catch (IOException unreadable) {
          // Left out, as documented: an interface that went away, IPv6 switched off.
        }
      }
      return values;
    }
    // grep -H prints "FILE:LINE" for each file it could read; -s keeps missing ones quiet.
    List<String> argv = new ArrayList<>(List.of("grep", "-Hs", "^"));
    for (String key : keys) {
      argv.add(path(root, key).toString());
    }
    CommandResult result = through.get().run(argv);
    for (String key : keys) {
      String prefix = path(root, key) + ":";
      result
          .stdout()
          .lines()
          .filter(line -> line.startsWith(prefix))
          .findFirst()
          .ifPresent(line -> values.put(key, line.substring(prefix.length()).strip()));
    }
    return values;
  }

  /**
   * The value of {@code key}.
   *
   * @throws IOException when it does not exist or cannot be read, saying why
   */
  public String read(String key) throws IOException {
    if (through.isEmpty()) {
      try {
        return Files.readString(path(root, key), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw described(e, path(root, key));
      }
    }
    List<String> argv = List.of("grep", "-H", "^", path(root, key).toString());
    CommandResult result = through.get().run(argv);
    String prefix = path(root, key) + ":";
    return result
        .stdout()
        .lines()
        .filter(line -> line.startsWith(prefix))
        .findFirst()
        .map(line -> line.substring(prefix.length()).strip())
        .orElseThrow(() -> new IOException(result.describeFailure()));
  }

  /**
   * Sets {@code key} to {@code value}.
   *
   * @throws IOException when the kernel refuses it (not root, no such key), saying why
   */
  public void write(String key, String value) throws IOException {
    Path file = path(root, key);
    if (through.isEmpty()) {
      // No CREATE: a parameter the kernel does not have must fail, not become a new file.
      try {
        Files.writeString(file, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw described(e, file);
      }
      return;
    }
    CommandResult result = through.get().run(List.of("tee", file.toString()), value + "\n");
    if (!result.succeeded()) {
      throw new IOException(result.describeFailure());
    }
  }

  /** The JDK names only the file; say what happened to it. */
  private static IOException described(IOException e, Path file) {
    String why =
        e instanceof NoSuchFileException
            ? "does not exist"
            : e instanceof AccessDeniedException ? "permission denied (run as root)" : e.toString();
    return new IOException(file + ": " + why, e);
  }
}
