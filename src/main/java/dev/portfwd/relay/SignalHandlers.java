package dev.portfwd.relay;

import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * The one place that touches {@code sun.misc.Signal} (an unsupported JDK API, present in every
 * OpenJDK): SIGHUP reloads, SIGUSR1 prints the counters, SIGTERM and SIGINT drain and stop.
 * Handlers run on a JVM signal thread and only hand work to the relay's control thread.
 */
final class SignalHandlers {

  private static final Logger LOG = Logger.getLogger(SignalHandlers.class.getPackageName());

  private SignalHandlers() {}

  static void install(Runnable reload, Runnable status, Runnable stop) {
    handle("HUP", reload);
    handle("USR1", status);
    handle("TERM", stop);
    handle("INT", stop);
  }

  private static void handle(String name, Runnable action) {
    try {
      Signal.handle(new Signal(name), signal -> action.run());
    } catch (IllegalArgumentException e) {
      // The JVM reserves some signals on some platforms (e.g. with -Xrs); the relay works without.
      LOG.warning("cannot handle SIG" + name + ": " + e.getMessage());
    }
  }
}
