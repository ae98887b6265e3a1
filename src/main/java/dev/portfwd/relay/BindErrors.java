package dev.portfwd.relay;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a failed bind into one line a user can act on, naming the table line and the fix. The
 * transports word errors differently (NIO's BindException, epoll's native errno text), so the match
 * is on the errno text both carry.
 */
final class BindErrors {

  private BindErrors() {}

  static String describe(ListenerKey key, Route route, Throwable cause) {
    String where = route.forward().line() > 0 ? "line " + route.forward().line() + ": " : "";
    String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
    if (message.contains("permission denied") || message.contains("access denied")) {
      return where
          + "cannot listen on "
          + key
          + ": permission denied; ports below 1024 need privilege:"
          + " run as root, or grant it with 'setcap cap_net_bind_service=+ep "
          + javaBinary()
          + "',"
          + " or use a port of 1024 or above";
    }
    if (message.contains("address already in use")) {
      return where
          + "cannot listen on "
          + key
          + ": the port is already in use by another program"
          + " (see 'ss -lntup sport = :"
          + key.port()
          + "'); stop it or choose another port";
    }
    if (message.contains("cannot assign requested address")) {
      return where
          + "cannot listen on "
          + key
          + ": the address is not configured on this host;"
          + " add it to an interface or remove it from the line";
    }
    return where + "cannot listen on " + key + ": " + Pipes.shortMessage(cause);
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
