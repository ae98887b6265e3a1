package dev.portfwd.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Where the dashboard keeps its secrets: the password hash and the token hashes, in files of mode
 * 0600 inside the state directory. Every write goes to a temporary file of mode 0600 in the same
 * directory, is synced and then renamed over the old file, so a reader sees the old or the new
 * content, never half of it, and the secret is never readable by others, not even for a moment.
 */
public final class SecretFiles {

  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final Path dir;

  /**
   * @param dir the directory holding the files (the state directory)
   */
  public SecretFiles(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** The file holding the argon2id hash of the dashboard password. */
  public Path passwordFile() {
    return dir.resolve("dashboard-password");
  }

  /** The file holding the API tokens' hashes, one line each. */
  public Path tokenFile() {
    return dir.resolve("dashboard-tokens");
  }

  /** The content of {@code file}, or empty when it does not exist. */
  static Optional<String> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Replaces {@code file} with {@code content} atomically, mode 0600. */
  static void write(Path file, String content) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(parent)) {
      // A state directory made here is the owner's alone, as the state directory's checks want.
      Files.createDirectories(
          parent,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path temp =
        Files.createTempFile(
            parent,
            "." + file.getFileName() + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(content);
        // One write may take only part (a disk about to fill); the next one then fails.
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
