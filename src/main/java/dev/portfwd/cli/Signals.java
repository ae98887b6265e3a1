package dev.portfwd.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Signal dispositions the JDK has no public API for. {@code sun.misc.Signal} is in the exported
 * {@code jdk.unsupported} module and works on every JDK portfwd supports.
 */
final class Signals {

  private Signals() {}

  /** Ignores SIGHUP: a closed SSH session must not end a wait that decides about a rollback. */
  static void ignoreHangup() {
    try {
      Signal.handle(new Signal("HUP"), SignalHandler.SIG_IGN);
    } catch (IllegalArgumentException e) {
      // The JVM reserves HUP when started with -Xrs; the detached timer still does the rollback.
    }
  }

  /** Runs {@code action} on SIGTERM and SIGINT instead of the JVM's exit with code 143/130. */
  static void onTermination(Runnable action) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> action.run());
    }
  }
}
