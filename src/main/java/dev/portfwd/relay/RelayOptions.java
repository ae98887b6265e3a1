package dev.portfwd.relay;

import java.time.Duration;
import java.util.Objects;

/**
 * How the relay treats connections, the same for every forward.
 *
 * @param connectTimeout how long a backend may take to accept a TCP connection
 * @param idleTimeout a TCP connection with no traffic either way for this long is closed; 0: never
 * @param udpIdleTimeout a UDP session with no datagram either way for this long ends; 0: never, so
 *     sessions pile up to {@code maxUdpSessions}
 * @param maxUdpSessions UDP clients served at once per listening port; more are dropped
 * @param maxUdpSessionsPerSource UDP sessions per listening port from one client address; 0: no
 *     limit
 * @param maxConnections TCP connections open at once over the whole relay; more are refused
 * @param maxConnectionsPerSource TCP connections open at once from one client address; 0: no limit
 * @param udpReceiveBuffer the receive buffer in bytes each UDP socket asks the kernel for; 0: the
 *     kernel's default ({@code net.core.rmem_default})
 * @param verbose log one line per connection and session, not only per event
 */
public record RelayOptions(
    Duration connectTimeout,
    Duration idleTimeout,
    Duration udpIdleTimeout,
    int maxUdpSessions,
    int maxUdpSessionsPerSource,
    int maxConnections,
    int maxConnectionsPerSource,
    int udpReceiveBuffer,
    boolean verbose) {

  public RelayOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(udpIdleTimeout, "udpIdleTimeout");
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connect timeout must be positive");
    }
    if (idleTimeout.isNegative() || udpIdleTimeout.isNegative()) {
      throw new IllegalArgumentException("idle timeouts must not be negative");
    }
    if (maxUdpSessions < 1) {
      throw new IllegalArgumentException("max UDP sessions must be at least 1");
    }
    if (maxUdpSessionsPerSource < 0) {
      throw new IllegalArgumentException(
          "--max-udp-sessions-per-source must be 0 (no limit) or more");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("--max-connections must be at least 1");
    }
    if (maxConnectionsPerSource < 0) {
      throw new IllegalArgumentException(
          "--max-connections-per-source must be 0 (no limit) or more");
    }
    if (udpReceiveBuffer < 0) {
      throw new IllegalArgumentException(
          "--udp-receive-buffer must be 0 (the kernel's default) or more");
    }
  }

  /** The defaults of {@code portfwd relay}. */
  public static RelayOptions defaults() {
    return new RelayOptions(
        Duration.ofSeconds(5),
        Duration.ofHours(1),
        Duration.ofSeconds(60),
        10_000,
        1_000,
        10_000,
        1_000,
        0,
        false);
  }
}
