package dev.portfwd.cli;

import java.time.Duration;

/**
 * The options given as a number of seconds ({@code watch --interval}, {@code --check-interval} and
 * the like): each is checked against its range in one place, and only then becomes a {@link
 * Duration}.
 */
final class SecondsOption {

  private SecondsOption() {}

  /**
   * {@code seconds} as a duration of whole milliseconds.
   *
   * @throws PortfwdException (invalid input) naming {@code option} and its range when {@code
   *     seconds} is not within {@code min} to {@code max}; NaN and the infinities never are
   */
  static Duration within(String option, double seconds, double min, double max) {
    return within(option, seconds, min, number(min), max);
  }

  /**
   * {@code seconds} as a duration of whole milliseconds, at least another option's value {@code
   * min}, which the message calls {@code minName}.
   *
   * @throws PortfwdException (invalid input) when {@code seconds} is not within {@code min} to
   *     {@code max}; NaN and the infinities never are
   */
  static Duration within(String option, double seconds, double min, String minName, double max) {
    // Written as "not inside": NaN compares false with everything, so "below or above" let it pass.
    if (!(seconds >= min && seconds <= max)) {
      throw PortfwdException.invalidInput(
          option + " takes " + minName + " to " + number(max) + " seconds, not " + number(seconds));
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  /** {@code 3600} rather than {@code 3600.0}; fractions, NaN and infinities as Java writes them. */
  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
