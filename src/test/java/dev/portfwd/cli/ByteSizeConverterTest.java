package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizeConverterTest {

  private final ByteSizeConverter converter = new ByteSizeConverter();

  @Test
  void readsBytesAndBinaryMultiples() {
    assertThat(converter.convert("212992")).isEqualTo(212_992);
    assertThat(converter.convert("512k")).isEqualTo(512 * 1024);
    assertThat(converter.convert("4M")).isEqualTo(4 * 1024 * 1024);
    assertThat(converter.convert("1g")).isEqualTo(1 << 30);
    assertThat(converter.convert("0")).isZero();
  }

  @Test
  void refusesWhatIsNoSizeOrTooLarge() {
    assertThatThrownBy(() -> converter.convert("4 MB"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'4 MB' is not a size; write e.g. 212992, 512k or 4m (bytes, KiB, MiB)");
    assertThatThrownBy(() -> converter.convert("-1")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("2g"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'2g' is larger than 2 GiB");
    assertThatThrownBy(() -> converter.convert("9999999999g"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'9999999999g' is larger than 2 GiB");
    assertThatThrownBy(() -> converter.convert("99999999999"))
        .isInstanceOf(TypeConversionException.class);
  }
}
