package dev.portfwd.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads sizes as people write them: {@code 212992}, {@code 512k}, {@code 4m} (KiB, MiB, GiB). */
final class ByteSizeConverter implements ITypeConverter<Integer> {

  private static final Pattern SIZE = Pattern.compile("(\\d{1,10})([kmg]?)");

  @Override
  public Integer convert(String value) {
    Matcher matcher = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a size; write e.g. 212992, 512k or 4m (bytes, KiB, MiB)");
    }
    long multiple =
        switch (matcher.group(2)) {
          case "k" -> 1L << 10;
          case "m" -> 1L << 20;
          case "g" -> 1L << 30;
          default -> 1;
        };
    long bytes;
    try {
      bytes = Math.multiplyExact(Long.parseLong(matcher.group(1)), multiple);
    } catch (ArithmeticException tooLarge) {
      bytes = Long.MAX_VALUE;
    }
    if (bytes > Integer.MAX_VALUE) {
      throw new TypeConversionException("'" + value + "' is larger than 2 GiB");
    }
    return (int) bytes;
  }
}
