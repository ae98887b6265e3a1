package dev.portfwd.pool;

import java.time.Duration;

/** Checks one backend: a TCP connection in the real service, canned answers in tests. */
@FunctionalInterface
public interface HealthProbe {

  /**
   * Checks {@code target} within {@code timeout}.
   *
   * @return null when it answered, else a few words on why not ({@code connection refused})
   */
  String check(CheckTarget target, Duration timeout);
}
