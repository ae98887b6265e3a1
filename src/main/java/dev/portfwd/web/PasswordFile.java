package dev.portfwd.web;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The dashboard password, as its argon2id hash in a file of mode 0600. Read at each login, so
 * {@code portfwd passwd} takes effect in a running service at once (and ends its sessions).
 */
public final class PasswordFile {

  private final Path file;

  public PasswordFile(Path file) {
    this.file = file;
  }

  public Path path() {
    return file;
  }

  /** The stored hash, or empty when no password was set. */
  public Optional<String> hash() throws IOException {
    return SecretFiles.read(file).map(String::strip).filter(s -> !s.isEmpty());
  }

  /** Stores the hash of {@code password}, replacing any other. */
  public void set(char[] password, PasswordHasher hasher) throws IOException {
    SecretFiles.write(file, hasher.hash(password) + "\n");
  }
}
