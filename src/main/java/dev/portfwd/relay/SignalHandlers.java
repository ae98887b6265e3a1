package dev.portfwd.relay;

import dev.portfwd.host.Signals;
import java.util.logging.Logger;

/**
 * The relay's signals, installed through {@link Signals} (which owns {@code sun.misc.Signal}):
 * SIGHUP reloads, SIGUSR1 prints the counters, SIGTERM and SIGINT drain and stop. Handlers run on a
 * JVM signal thread and only hand work to the relay's control thread.
 */
final class SignalHandlers {

  private static final Logger LOG = Logger.getLogger(SignalHandlers.class.getPackageName());

  private SignalHandlers() {}

  static void install(Runnable reload, Runnable status, Runnable stop) {
    handle(Signals.Name.HUP, reload);
    handle(Signals.Name.USR1, status);
    handle(Signals.Name.TERM, stop);
    handle(Signals.Name.INT, stop);
  }

  private static void handle(Signals.Name signal, Runnable action) {
    try {
      Signals.handle(signal, action);
    } catch (IllegalArgumentException e) {
      // The JVM reserves some signals on some platforms (e.g. with -Xrs); the relay works without.
      LOG.warning("cannot handle SIG" + signal + ": " + e.getMessage());
    }
  }
}
