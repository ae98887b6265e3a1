package dev.portfwd.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where portfwd takes the programs it runs from: the system folders only, never {@code PATH}.
 * portfwd runs as root, and a {@code PATH} with a relative entry ({@code .}, an empty one) or a
 * folder another user may write would let that user's {@code id} or {@code nft} run as root.
 * Programs run by absolute path, and their own children (a shell, {@code timeout}, {@code ip netns
 * exec}) get {@link #SEARCH_PATH} as their {@code PATH}.
 */
public final class SystemPrograms {

  /** The folders searched, in this order; the same on Debian, Ubuntu and RHEL. */
  public static final List<String> DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");

  /** {@link #DIRS} as a {@code PATH} value for the programs portfwd starts. */
  public static final String SEARCH_PATH = String.join(":", DIRS);

  /** The Debian package of each program portfwd runs, for "install it" messages. */
  private static final Map<String, String> DEBIAN_PACKAGES =
      Map.ofEntries(
          Map.entry("nft", "nftables"),
          Map.entry("conntrack", "conntrack"),
          Map.entry("conntrackd", "conntrackd"),
          Map.entry("keepalived", "keepalived"),
          Map.entry("ip", "iproute2"),
          Map.entry("ss", "iproute2"),
          Map.entry("sysctl", "procps"),
          Map.entry("socat", "socat"),
          Map.entry("setsid", "util-linux"),
          Map.entry("flock", "util-linux"),
          Map.entry("bash", "bash"),
          Map.entry("sh", "dash"),
          Map.entry("id", "coreutils"),
          Map.entry("cat", "coreutils"),
          Map.entry("env", "coreutils"),
          Map.entry("sleep", "coreutils"),
          Map.entry("timeout", "coreutils"));

  private SystemPrograms() {}

  /**
   * The absolute path of {@code program}: the first of {@link #DIRS} holding an executable file of
   * that name, or {@code program} itself when it is an absolute path to one. Empty when there is
   * none, and for any relative path ({@code ./id}, {@code bin/nft}).
   */
  public static Optional<Path> locate(String program) {
    if (program.isEmpty() || program.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    if (program.contains("/")) {
      Path path = Path.of(program);
      return path.isAbsolute() && runnable(path) ? Optional.of(path) : Optional.empty();
    }
    for (String dir : DIRS) {
      // Not resolved to its real path: iptables-legacy-restore is a link to a multi-call binary
      // that decides what to do from the name it was started by.
      Path candidate = Path.of(dir, program);
      if (runnable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The Debian package that installs {@code program} ({@code iptables} for all of its save,
   * restore, {@code ip6tables} and {@code -legacy} variants), if portfwd knows it.
   */
  public static Optional<String> debianPackage(String program) {
    String name = program.substring(program.lastIndexOf('/') + 1);
    if (name.startsWith("iptables") || name.startsWith("ip6tables")) {
      return Optional.of("iptables");
    }
    return Optional.ofNullable(DEBIAN_PACKAGES.get(name));
  }

  /** The Debian packages of the programs portfwd runs ({@link #debianPackage}). */
  public static Set<String> debianPackages() {
    return Set.copyOf(DEBIAN_PACKAGES.values());
  }

  private static boolean runnable(Path path) {
    return Files.isRegularFile(path) && Files.isExecutable(path);
  }
}
