package dev.portfwd.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel script ({@code nft -f}, {@code iptables-restore} input) written whole to a private file
 * (mode 0600, in {@code /run} when this process may write there, the JVM's temporary folder
 * otherwise) before the program that applies it starts, and deleted on {@link #close}.
 *
 * <p>Why not a pipe: a program reading standard input takes end of file for the end of the script,
 * so a portfwd that died after writing part of it would hand the program a shorter script, and one
 * cut at a line boundary is often valid: the kernel would apply a prefix of the change. A file is
 * complete before the program is started, so it gets the whole script or never runs. A file left
 * behind by a killed portfwd holds only what it was about to apply, readable by root alone, and is
 * deleted by the next kernel session ({@link #removeLeftovers()}).
 */
public final class ScriptFile implements AutoCloseable {

  private static final Path RUN = Path.of("/run");

  /** The names {@link #write} gives: PID, the random part of a temporary file, the suffix. */
  private static final Pattern NAME =
      Pattern.compile("portfwd-([0-9]{1,19})-[0-9]+\\.(nft|iptables)");

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
    Path folder = folder();
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

  private static Path folder() {
    return Files.isDirectory(RUN) && Files.isWritable(RUN)
        ? RUN
        : Path.of(System.getProperty("java.io.tmpdir"));
  }

  /**
   * Deletes the script files that portfwd processes no longer running left in the folder {@link
   * #write} uses (a portfwd killed between writing and deleting its file). Best effort: a file that
   * cannot be read or deleted is left.
   *
   * @return how many were deleted
   */
  public static int removeLeftovers() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return removeLeftovers(
          folder(),
          (Integer) uid,
          pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    } catch (IOException | UnsupportedOperationException | ClassCastException e) {
      return 0; // no /proc or no unix attributes: nothing is known to be safe to delete
    }
  }

  /**
   * Deletes the regular files of {@code folder} named as {@link #write} names them, owned by {@code
   * uid}, whose PID {@code alive} says is not a running process. Never follows a link, never
   * touches another name, another user's file or a live process's.
   */
  static int removeLeftovers(Path folder, int uid, LongPredicate alive) {
    int deleted = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "portfwd-*")) {
      for (Path file : files) {
        Matcher name = NAME.matcher(file.getFileName().toString());
        try {
          if (name.matches()
              && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
              && Integer.valueOf(uid)
                  .equals(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS))
              && !alive.test(Long.parseLong(name.group(1)))) {
            Files.deleteIfExists(file);
            deleted++;
          }
        } catch (IOException | NumberFormatException e) {
          // Left for the next session; see above.
        }
      }
    } catch (IOException e) {
      // The folder cannot be listed: nothing to do.
    }
    return deleted;
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
