package dev.portfwd.relay;

import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counts and logs the failure of one relayed TCP connection once, whichever side fails first and
 * however many errors follow from it (the other side's reset, a write to a closed socket). Shared
 * by the connection's two handlers, which run on one event loop, so it needs no lock.
 */
final class ConnectionFailure {

  private static final Logger LOG = Logger.getLogger(ConnectionFailure.class.getPackageName());

  // EADDRNOTAVAIL from connect: the relay binds no source address, so no local port was free.
  private static final String NO_LOCAL_PORT = "cannot assign requested address";

  private final Route route;
  private final RateLimitedLog log;
  private boolean reported;

  ConnectionFailure(Route route, RateLimitedLog log) {
    this.route = route;
    this.log = log;
  }

  /**
   * The backend could not be reached for {@code client}: counted, and logged at a bounded rate
   * (many clients of a dead backend fail the same way).
   */
  void connectFailed(String client, Throwable cause) {
    if (reported) {
      return;
    }
    reported = true;
    route.counters().error();
    String reason = Pipes.expected(cause);
    if (NO_LOCAL_PORT.equals(reason)) {
      reason +=
          ": no local port was free towards this backend. Each connection to it that its client"
              + " closed first holds its port for a minute (TIME_WAIT), which with the kernel's"
              + " defaults allows about 470 new connections a second: sysctl -w"
              + " net.ipv4.tcp_tw_reuse=1 lets new connections reuse those ports, and a wider"
              + " net.ipv4.ip_local_port_range adds ports";
    }
    log.log(
        Level.INFO,
        "connect " + route.describe(),
        "backend "
            + DualStackAddresses.format(route.backend())
            + " failed for client "
            + client
            + " on "
            + route.describe()
            + ": "
            + (reason == null ? cause.toString() : reason));
  }

  /**
   * {@code who} (the client or the backend, with its address) failed: counted; an expected network
   * error is a debug line (verbose), a surprise a warning with its stack trace (at a bounded rate).
   * {@code who} is spelled out only for a line that is logged: clients that reset their connections
   * would otherwise pay for it on every one.
   */
  void failed(Supplier<String> who, Throwable cause) {
    if (reported) {
      return;
    }
    reported = true;
    route.counters().error();
    if (Pipes.isExpected(cause)) {
      if (LOG.isLoggable(Level.FINE)) {
        LOG.fine(who.get() + " on " + route.describe() + ": " + Pipes.expected(cause));
      }
    } else {
      log.log(
          Level.WARNING,
          "unexpected " + route.describe(),
          who.get() + " on " + route.describe() + ": unexpected error",
          cause);
    }
  }
}
