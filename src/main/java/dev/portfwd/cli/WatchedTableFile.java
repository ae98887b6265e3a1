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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
   * The file's text with its {@link #version(byte[]) version}, from one read, so the two always
   * describe the same content.
   *
   * @param text empty when the file does not exist
   * @param version empty when the file does not exist
   */
  record Versioned(Optional<String> text, String version) {}

  /** The file's text and version, read once; as {@link #read()} when the file is not UTF-8. */
  Versioned readVersioned() throws IOException {
    if (!Files.exists(file)) {
      return new Versioned(Optional.empty(), "");
    }
    byte[] bytes = Files.readAllBytes(file);
    // A strict decoder, as Files.readString's: a file that is not UTF-8 fails here too.
    String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    return new Versioned(Optional.of(text), version(bytes));
  }

  /** The file's version ({@link #version(byte[])}); empty when it does not exist. */
  String version() throws IOException {
    return Files.exists(file) ? version(Files.readAllBytes(file)) : "";
  }

  /**
   * A version of a file's content: the SHA-256 of its bytes, in lower-case hex. An editor keeps the
   * version it loaded, so an apply can tell that the file changed since (a hand edit, another
   * user's apply) instead of silently undoing that change.
   */
  static String version(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
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
