package dev.portfwd.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A kernel script ({@code nft -f}, {@code iptables-restore} input) written whole to a private file
 * (mode 0600, in {@code /run} when this process may write there, the JVM's temporary folder
 * otherwise) before the program that applies it starts, and deleted on {@link #close}.
 *
 * <p>Why not a pipe: a program reading standard input takes end of file for the end of the script,
 * so a portfwd that died after writing part of it would hand the program a shorter script, and one
 * cut at a line boundary is often valid: the kernel would apply a prefix of the change. A file is
 * complete before the program is started, so it gets the whole script or never runs. A file left
 * behind by a killed portfwd holds only what it was about to apply, readable by root alone.
 */
public final class ScriptFile implements AutoCloseable {

  private static final Path RUN = Path.of("/run");

  private final Path path;

  private ScriptFile(Path path) {
    this.path = path;
  }

  /**
   * Writes {@code script} to a new private file named {@code portfwd-PID-*.SUFFIX}, PID being this
   * process's, so a file a killed portfwd left behind says whose it was.
   *
   * @throws IOException when the file cannot be created or written (it is deleted again)
   */
  public static ScriptFile write(String suffix, String script) throws IOException {
    Path folder =
        Files.isDirectory(RUN) && Files.isWritable(RUN)
            ? RUN
            : Path.of(System.getProperty("java.io.tmpdir"));
    Path path =
        Files.createTempFile(
            folder,
            "portfwd-" + ProcessHandle.current().pid() + "-",
            "." + suffix,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(path, script, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(path);
      throw e;
    }
    return new ScriptFile(path);
  }

  /** The file's absolute path, for the program's argv. */
  public Path path() {
    return path;
  }

  /**
   * Deletes the file. A file that cannot be deleted is left (root's alone, in a folder emptied at
   * boot) rather than failing a change the kernel has already made.
   */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // See above.
    }
  }
}
