package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsTheUnitsPeopleWrite() {
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void takesBareNumbersAsSeconds() {
    assertThat(converter.convert("0")).isEqualTo(Duration.ZERO);
    assertThat(converter.convert("45")).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void rejectsAnythingElseWithAnExample() {
    assertThatThrownBy(() -> converter.convert("5 minutes"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("write e.g. 500ms, 30s, 5m or 1h");
  }

  @Test
  void takesAtMost365DaysSoNothingOverflowsAtRunTime() {
    assertThat(converter.convert("8760h")).isEqualTo(Duration.ofDays(365));
    assertThat(converter.convert("31536000")).isEqualTo(Duration.ofDays(365));
    // 3000000h and 9999999999999h were once taken and overflowed in the relay (toNanos, toMillis).
    for (String tooLong :
        new String[] {
          "8761h", "31536001", "525601m", "31536000001ms", "3000000h", "9999999999999h"
        }) {
      assertThatThrownBy(() -> converter.convert(tooLong))
          .as(tooLong)
          .isInstanceOf(TypeConversionException.class)
          .hasMessage(
              "'" + tooLong + "' is too long; write a duration of at most 8760h (365 days)");
    }
  }

  @Test
  void rejectsMoreDigitsThanANumberHoldsWithTheSameMessage() {
    for (String tooLong : new String[] {"99999999999999999999", "99999999999999999999ms"}) {
      assertThatThrownBy(() -> converter.convert(tooLong))
          .as(tooLong)
          .isInstanceOf(TypeConversionException.class)
          .hasMessage(
              "'" + tooLong + "' is too long; write a duration of at most 8760h (365 days)");
    }
  }

  @Test
  void rejectsMoreHoursThanADurationHolds() {
    // A long, but more seconds than Duration holds: ofHours throws ArithmeticException.
    assertThatThrownBy(() -> converter.convert("9223372036854775807h"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("at most 8760h (365 days)");
  }
}
