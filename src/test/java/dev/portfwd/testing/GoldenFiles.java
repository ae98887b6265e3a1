package dev.portfwd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden tables in {@code src/test/resources/compile}: {@code NAME.table} with one expected
 * output per backend ({@code NAME.nft}, {@code NAME.iptables}). Run the tests with {@code
 * -Dgolden.update=true} to rewrite the expected files, then review the diff.
 */
public final class GoldenFiles {

  public static final Path DIR = Path.of("src/test/resources/compile");

  private GoldenFiles() {}

  /** The NAMEs of every {@code NAME.table}, sorted. */
  public static List<String> tableNames() {
    try (Stream<Path> files = Files.list(DIR)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".table"))
          .map(n -> n.substring(0, n.length() - ".table".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String table(String name) throws IOException {
    return Files.readString(DIR.resolve(name + ".table"), StandardCharsets.UTF_8);
  }

  /**
   * Tables without their {@code .extension} file and {@code .extension} files without their table.
   */
  public static List<String> unpaired(String extension) throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith("." + extension) || n.endsWith(".table"))
          .filter(
              n -> {
                String base = n.substring(0, n.lastIndexOf('.'));
                return !Files.exists(
                    DIR.resolve(base + (n.endsWith(".table") ? "." + extension : ".table")));
              })
          .toList();
    }
  }

  /**
   * Asserts that {@code actual} is {@code NAME.extension}, first rewriting it with {@code
   * -Dgolden.update=true}.
   */
  public static void assertMatches(String name, String extension, String actual)
      throws IOException {
    Path golden = DIR.resolve(name + "." + extension);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual)
        .as(golden.toString())
        .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }
}
