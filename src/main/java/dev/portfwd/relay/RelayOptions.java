package dev.portfwd.relay;

import java.time.Duration;
import java.util.Objects;

/**
 * How the relay treats connections, the same for every forward.
 *
 * @param connectTimeout how long a backend may take to accept a TCP connection
 * @param idleTimeout a TCP connection with no traffic either way for this long is closed
 * @param udpIdleTimeout a UDP session with no datagram either way for this long ends
 * @param maxUdpSessions UDP clients served at once per listening port; more are dropped
 * @param verbose log one line per connection and session, not only per event
 */
public record RelayOptions(
    Duration connectTimeout,
    Duration idleTimeout,
    Duration udpIdleTimeout,
    int maxUdpSessions,
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
  }

  /** The defaults of {@code portfwd relay}. */
  public static RelayOptions defaults() {
    return new RelayOptions(
        Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofSeconds(60), 10_000, false);
  }
}
