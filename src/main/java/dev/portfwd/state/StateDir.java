package dev.portfwd.state;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where portfwd keeps what it applied: {@code --state-dir} when given, else the environment
 * variable {@value #ENV}, else {@value #DEFAULT}. Tests always pass a temporary directory, so runs
 * in separate namespaces never share state.
 */
public final class StateDir {

  public static final String DEFAULT = "/var/lib/portfwd";
  public static final String ENV = "PORTFWD_STATE_DIR";

  private StateDir() {}

  /** The state directory for an optional {@code --state-dir} value and the process environment. */
  public static Path resolve(Optional<Path> option, Map<String, String> environment) {
    if (option.isPresent()) {
      return option.get().toAbsolutePath();
    }
    String fromEnv = environment.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv).toAbsolutePath();
    }
    return Path.of(DEFAULT);
  }

  /** {@link #resolve(Optional, Map)} with this process's environment. */
  public static Path resolve(Optional<Path> option) {
    return resolve(option, System.getenv());
  }
}
