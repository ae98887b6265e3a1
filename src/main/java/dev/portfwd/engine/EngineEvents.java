package dev.portfwd.engine;

import java.time.Duration;

/**
 * What an {@link Engine} tells a listener about the changes it makes: the service's metrics
 * implement it. Called on the thread that made the change, after the lock is released or while it
 * is still held; a listener must be quick and must not call the engine back.
 */
public interface EngineEvents {

  /** How a change ended. */
  enum Outcome {
    /** The kernel holds the new forwards. */
    OK,
    /** The change failed; the kernel holds the old forwards (or what the message said). */
    FAILED
  }

  /**
   * One change the engine made or tried: an apply, a remove, a rollback, watch's apply at start or
   * after an edit, or a drift repair that changed the kernel. Drift checks that found nothing to
   * repair are not changes.
   *
   * @param took the wall time of the change, lock wait included
   */
  void changed(Outcome outcome, Duration took);

  /** A drift check found the live rules differ from the table and re-applied it. */
  void driftRepaired();

  /** A listener that ignores everything: the default of every engine. */
  EngineEvents NONE =
      new EngineEvents() {
        @Override
        public void changed(Outcome outcome, Duration took) {}

        @Override
        public void driftRepaired() {}
      };
}
