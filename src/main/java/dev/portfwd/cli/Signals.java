package dev.portfwd.cli;

/**
 * The signal dispositions the commands set, as cli's short names for {@link
 * dev.portfwd.host.Signals}, which owns {@code sun.misc.Signal}. (That class has the same simple
 * name, hence the qualified calls.)
 */
final class Signals {

  private Signals() {}

  /** Ignores SIGHUP: a closed SSH session must not end a wait that decides about a rollback. */
  static void ignoreHangup() {
    // When the JVM reserves HUP (-Xrs) this does nothing; the detached timer still does the rollback.
    dev.portfwd.host.Signals.ignoreHangup();
  }

  /** Runs {@code action} on SIGTERM and SIGINT instead of the JVM's exit with code 143/130. */
  static void onTermination(Runnable action) {
    dev.portfwd.host.Signals.onTermination(action);
  }
}
