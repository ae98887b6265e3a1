package dev.portfwd.table;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a table from a file or standard input and parses it. The only I/O of the table stage. */
public final class TableReader {

  /** The argument that means "read standard input". */
  public static final String STDIN = "-";

  /** Where {@code check}, {@code apply} and friends look when no table is named. */
  public static final String DEFAULT_TABLE = "/etc/portfwd/ports.txt";

  private TableReader() {}

  /**
   * Reads and parses {@code location} ({@code -} for {@code stdin}).
   *
   * @throws TableUnreadableException when the file cannot be read (missing, a directory, no
   *     permission): an operational failure, not a table error
   */
  public static ParseResult read(String location, InputStream stdin)
      throws TableUnreadableException {
    try {
      if (STDIN.equals(location)) {
        return TableParser.parse("<stdin>", decode(stdin.readAllBytes()));
      }
      Path path = Path.of(location);
      if (Files.isDirectory(path)) {
        throw new TableUnreadableException(location + ": is a directory, expected a table file");
      }
      return TableParser.parse(location, decode(Files.readAllBytes(path)));
    } catch (NoSuchFileException e) {
      throw new TableUnreadableException(location + ": no such file");
    } catch (IOException e) {
      throw new TableUnreadableException(location + ": cannot read: " + e.getMessage());
    }
  }

  /**
   * UTF-8 text of {@code bytes}. Bytes that are not UTF-8 become U+FFFD, which the parser reports
   * with its line and column; the rest of the table is still checked.
   */
  static String decode(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** The table could not be read at all. */
  public static final class TableUnreadableException extends Exception {
    public TableUnreadableException(String message) {
      super(message);
    }
  }
}
