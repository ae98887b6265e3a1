package dev.portfwd.host;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The one place that touches {@code sun.misc.Signal}: signal dispositions the JDK has no public API
 * for. {@code sun.misc.Signal} is in the exported {@code jdk.unsupported} module and works on every
 * JDK portfwd supports. Handlers run on a JVM signal thread, so an action should only hand work to
 * another thread or release a waiting one.
 */
public final class Signals {

  /** The signals portfwd handles, by their POSIX names without the {@code SIG} prefix. */
  public enum Name {
    HUP,
    INT,
    TERM,
    USR1
  }

  private Signals() {}

  /**
   * Runs {@code action} on {@code signal}, replacing any earlier handler of it.
   *
   * @throws IllegalArgumentException when the JVM reserves the signal (e.g. started with -Xrs)
   */
  public static void handle(Name signal, Runnable action) {
    Signal.handle(new Signal(signal.name()), received -> action.run());
  }

  /** Ignores SIGHUP, so a closed terminal or SSH session does not end the process. */
  public static void ignoreHangup() {
    try {
      Signal.handle(new Signal(Name.HUP.name()), SignalHandler.SIG_IGN);
    } catch (IllegalArgumentException e) {
      // The JVM reserves HUP when started with -Xrs: best effort, a hangup then ends the process.
    }
  }

  /**
   * Runs {@code action} on SIGTERM and SIGINT instead of the JVM's exit with code 143/130.
   *
   * @throws IllegalArgumentException when the JVM reserves one of them (e.g. started with -Xrs)
   */
  public static void onTermination(Runnable action) {
    handle(Name.TERM, action);
    handle(Name.INT, action);
  }
}
