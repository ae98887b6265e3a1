package dev.portfwd.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The table file {@code watch} keeps applied, as the dashboard reads and replaces it. A replacement
 * is written to a temporary file beside it with the old file's mode and owner, synced, and renamed
 * over it: watch sees one edit, and never half a table.
 */
final class WatchedTableFile {

  private final Path file;

  WatchedTableFile(Path file) {
    this.file = file;
  }

  Path path() {
    return file;
  }

  /** The file's text; empty when it does not exist. */
  Optional<String> read() throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * Replaces the file's content with {@code text} atomically. When the file is a symbolic link, the
   * file it points to is replaced, with that file's mode and owner, and the link stays.
   *
   * @throws IOException when the text could not be written whole (a full disk, say); the file is
   *     then as it was
   */
  void write(String text) throws IOException {
    Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
    Path dir = target.getParent();
    Optional<PosixFileAttributes> old =
        Files.exists(target)
            ? Optional.of(
                Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS))
            : Optional.empty();
    Path temp =
        Files.createTempFile(
            dir,
            "." + target.getFileName() + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(
                old.map(PosixFileAttributes::permissions)
                    .orElse(PosixFilePermissions.fromString("rw-r--r--"))));
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
        // One write may take only part (a disk about to fill); the next one then fails.
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      if (old.isPresent()) {
        PosixFileAttributeView view =
            Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        view.setPermissions(old.get().permissions()); // createTempFile's mode passes the umask
        if (!old.get().owner().equals(Files.getOwner(temp))) {
          view.setOwner(old.get().owner());
        }
        if (!old.get().group().equals(view.readAttributes().group())) {
          view.setGroup(old.get().group());
        }
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
