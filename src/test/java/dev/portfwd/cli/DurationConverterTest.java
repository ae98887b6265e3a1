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
}
