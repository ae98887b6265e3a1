package dev.portfwd.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as people write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code
 * 0}, at most {@link #MAX} (365 days); a longer one, or one of more digits than a number holds, is
 * refused with a {@link TypeConversionException}.
 */
final class DurationConverter implements ITypeConverter<Duration> {

  /**
   * The longest duration any option takes. Far beyond a useful timeout or interval, and far below
   * what overflows where the relay turns a duration into milliseconds or nanoseconds (292 years).
   */
  static final Duration MAX = Duration.ofDays(365);

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  @Override
  public Duration convert(String value) {
    Matcher matcher = DURATION.matcher(value.strip());
    if (!matcher.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; write e.g. 500ms, 30s, 5m or 1h");
    }
    String unit = matcher.group(2) == null ? "s" : matcher.group(2);
    Duration duration;
    try {
      long amount = Long.parseLong(matcher.group(1));
      duration =
          switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
          };
    } catch (NumberFormatException | ArithmeticException tooLong) {
      // Only digits reach here: more than a long holds, or more seconds than a Duration holds.
      throw tooLong(value);
    }
    if (duration.compareTo(MAX) > 0) {
      throw tooLong(value);
    }
    return duration;
  }

  private static TypeConversionException tooLong(String value) {
    return new TypeConversionException(
        "'" + value + "' is too long; write a duration of at most 8760h (365 days)");
  }
}
