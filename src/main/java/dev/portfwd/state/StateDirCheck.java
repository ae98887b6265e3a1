package dev.portfwd.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Refuses a state directory that anyone but the user running portfwd (root, in production) could
 * change: what it records, root restores into the kernel, and where it writes, root writes. So the
 * directory and its {@code history} must be owned by the effective user and writable by nobody
 * else, and no directory above it may be open to other users (writable by group or others without
 * the sticky bit, or owned by another user than root or the effective user), since whoever can
 * write there can rename the state directory away and put one of their own in its place.
 *
 * <p>Checks the real path (symbolic links resolved) and returns it; the store works on that path
 * from then on, so a link swapped later does not lead it elsewhere. A directory that does not exist
 * yet is checked up to the nearest one that does; portfwd creates the rest owner-only ({@code
 * 0700}).
 */
final class StateDirCheck {

  /** What portfwd creates its directories with: owner only. */
  static final Set<PosixFilePermission> DIRECTORY_MODE =
      PosixFilePermissions.fromString("rwx------");

  /** What portfwd creates its files with: owner only. */
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

  private static final int ROOT = 0;

  private StateDirCheck() {}

  /**
   * Checks {@code dir} for the effective user of this process.
   *
   * @return the real path of {@code dir} (for a directory not created yet: the real path of its
   *     nearest existing ancestor with the rest of the names appended)
   * @throws UnsafeStateDirException when it is not safe, with the one line to show
   */
  static Path verify(Path dir) throws IOException {
    return verify(dir, effectiveUid());
  }

  /** {@link #verify(Path)} for the user {@code uid}. */
  static Path verify(Path dir, int uid) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new IOException("no part of " + absolute + " exists");
    }
    Path real = existing.toRealPath();
    Path target = real.resolve(existing.relativize(absolute));
    if (real.equals(target)) {
      requireOwnDirectory(absolute, real, uid);
      Path history = real.resolve("history");
      if (Files.exists(history, LinkOption.NOFOLLOW_LINKS)) {
        requireOwnDirectory(absolute.resolve("history"), history, uid);
      }
    }
    Path above = real.equals(target) ? real.getParent() : real;
    for (Path ancestor = above; ancestor != null; ancestor = ancestor.getParent()) {
      requireClosedAncestor(absolute, ancestor, uid);
    }
    return target;
  }

  /**
   * {@code real}, shown to the user as {@code shown}, must be a directory only {@code uid} owns.
   */
  private static void requireOwnDirectory(Path shown, Path real, int uid) throws IOException {
    PosixFileAttributes attributes = attributes(real);
    if (attributes.isSymbolicLink() || !attributes.isDirectory()) {
      throw new UnsafeStateDirException(
          "state directory "
              + shown
              + " is not a directory"
              + (attributes.isSymbolicLink() ? " but a symbolic link" : "")
              + "; nothing was changed; move it away or use another --state-dir");
    }
    int owner = uid(real);
    if (owner == ROOT && uid != ROOT) {
      throw new UnsafeStateDirException(
          "state directory "
              + shown
              + " belongs to root; nothing was changed; run portfwd as root (sudo)");
    }
    if (owner != uid) {
      throw new UnsafeStateDirException(
          "state directory "
              + shown
              + " is owned by "
              + user(attributes, owner)
              + ", not "
              + userName(uid)
              + ", who could plant states for portfwd to apply; nothing was changed; check what it"
              + " holds, then run 'chown -R "
              + userName(uid)
              + " "
              + shown
              + "', or use another --state-dir");
    }
    if (writableByOthers(attributes.permissions())) {
      throw new UnsafeStateDirException(
          "state directory "
              + shown
              + " may be written by group or others (mode "
              + PosixFilePermissions.toString(attributes.permissions())
              + "), who could plant states for portfwd to apply; nothing was changed; run 'chmod"
              + " go-w "
              + shown
              + "' or use another --state-dir");
    }
  }

  /** A directory above the state directory must not let another user replace what is below it. */
  private static void requireClosedAncestor(Path stateDir, Path ancestor, int uid)
      throws IOException {
    PosixFileAttributes attributes = attributes(ancestor);
    Set<PosixFilePermission> mode = attributes.permissions();
    // The sticky bit (/tmp) lets only an entry's owner rename or delete it. NIO does not report
    // it; the unix view does.
    boolean sticky = (mode(ancestor) & 01000) != 0;
    if (writableByOthers(mode) && !sticky) {
      throw new UnsafeStateDirException(
          "state directory "
              + stateDir
              + " lies in "
              + ancestor
              + ", which group or others may write (mode "
              + PosixFilePermissions.toString(mode)
              + ", no sticky bit) to replace it; nothing was changed; run 'chmod go-w "
              + ancestor
              + "' or use another --state-dir");
    }
    int owner = uid(ancestor);
    if (owner != ROOT && owner != uid) {
      throw new UnsafeStateDirException(
          "state directory "
              + stateDir
              + " lies in "
              + ancestor
              + ", owned by "
              + user(attributes, owner)
              + ", who could replace it; nothing was changed; run 'chown "
              + userName(uid)
              + " "
              + ancestor
              + "' or use another --state-dir");
    }
  }

  private static boolean writableByOthers(Set<PosixFilePermission> mode) {
    return mode.contains(PosixFilePermission.GROUP_WRITE)
        || mode.contains(PosixFilePermission.OTHERS_WRITE);
  }

  private static PosixFileAttributes attributes(Path path) throws IOException {
    return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  private static int uid(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
  }

  private static int mode(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  private static String user(PosixFileAttributes attributes, int uid) {
    String name = attributes.owner().getName();
    return name.equals(Integer.toString(uid)) ? "uid " + uid : name + " (uid " + uid + ")";
  }

  private static String userName(int uid) {
    return uid == ROOT ? "root" : Integer.toString(uid);
  }

  /**
   * The effective user id of this process, from {@code /proc/self/status} (Linux): the one the
   * kernel checks file access against, which the JDK does not report.
   */
  static int effectiveUid() throws IOException {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.substring("Uid:".length()).strip().split("\\s+")[1]);
        }
      }
    } catch (NoSuchFileException e) {
      // Not Linux: fall through.
    } catch (RuntimeException e) {
      throw new IOException("cannot read the effective user id from /proc/self/status", e);
    }
    throw new IOException("cannot tell the effective user id: /proc/self/status has no Uid line");
  }
}
