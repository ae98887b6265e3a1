package dev.portfwd.relay;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The relay's TCP connection limits, over all its forwards: at most {@code max} connections open at
 * once, and at most {@code maxPerSource} of them from one client address or IPv6 /64 (0: no
 * per-source limit), so one host cannot take every slot and the relay never runs out of file
 * descriptors by accepting. Thread-safe: every event loop accepts; a connection takes a slot when
 * it is accepted and gives it back when it closes.
 */
final class ConnectionLimits {

  private final int max;
  private final int maxPerSource;
  private final Map<InetAddress, Integer> perSource = new HashMap<>();
  private int open;

  ConnectionLimits(int max, int maxPerSource) {
    this.max = max;
    this.maxPerSource = maxPerSource;
  }

  /**
   * Why a connection was refused.
   *
   * @param limit the option whose limit it hit
   * @param reason the end of the log line
   */
  record Refusal(String limit, String reason) {}

  /**
   * Takes a slot for a connection from {@code source}.
   *
   * @return null when the connection may go on, else why not
   */
  synchronized Refusal tryOpen(InetAddress source) {
    if (open >= max) {
      return new Refusal(
          "--max-connections", open + " connections open already (--max-connections " + max + ")");
    }
    InetAddress key = DualStackAddresses.sourceKey(source);
    int fromSource = perSource.getOrDefault(key, 0);
    if (maxPerSource > 0 && fromSource >= maxPerSource) {
      return new Refusal(
          "--max-connections-per-source",
          fromSource
              + " connections from this address (or its IPv6 /64) open already"
              + " (--max-connections-per-source "
              + maxPerSource
              + ")");
    }
    open++;
    perSource.put(key, fromSource + 1);
    return null;
  }

  /** Gives back the slot of a connection from {@code source} that {@link #tryOpen} let in. */
  synchronized void closed(InetAddress source) {
    open--;
    perSource.computeIfPresent(
        DualStackAddresses.sourceKey(source), (address, count) -> count == 1 ? null : count - 1);
  }

  synchronized int open() {
    return open;
  }

  // Descriptors the JVM, the listeners and the event loops take besides connections (about 25 when
  // idle here), with room to spare.
  private static final int RESERVED_FILES = 100;

  /**
   * A warning when {@code fileLimit} descriptors cannot hold {@code maxConnections} relayed TCP
   * connections (two each); empty when they can or the limit is unknown ({@code fileLimit <= 0}).
   */
  static Optional<String> fileLimitWarning(int maxConnections, long fileLimit) {
    if (fileLimit <= 0 || 2L * maxConnections + RESERVED_FILES <= fileLimit) {
      return Optional.empty();
    }
    return Optional.of(
        "the file descriptor limit of "
            + fileLimit
            + " holds about "
            + Math.max(0, (fileLimit - RESERVED_FILES) / 2)
            + " relayed TCP connections, fewer than --max-connections "
            + maxConnections
            + ": raise the limit (LimitNOFILE=, ulimit -n) or lower --max-connections");
  }

  /** This process's file descriptor limit, or -1 where the JVM does not say. */
  static long fileLimit() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount()
        : -1;
  }
}
