package dev.portfwd.table;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Reads a table from a file or standard input and parses it. The only I/O of the table stage.
 *
 * <p>Reading is bounded: a table is a regular file (or standard input) of at most {@value
 * #MAX_TABLE_BYTES} bytes, 16 MiB, some forty times a 100,000-forward table. Devices, FIFOs,
 * sockets and directories are refused before they are opened, so {@code /dev/zero} cannot fill the
 * memory and a FIFO without a writer cannot hang the command; more than the limit is refused after
 * reading one byte past it, wherever the bytes come from.
 */
public final class TableReader {

  /** The argument that means "read standard input". */
  public static final String STDIN = "-";

  /** Where {@code check}, {@code apply} and friends look when no table is named. */
  public static final String DEFAULT_TABLE = "/etc/portfwd/ports.txt";

  /** The largest table read, in bytes: 16 MiB. */
  public static final int MAX_TABLE_BYTES = 16 * 1024 * 1024;

  private static final String LIMIT =
      String.format(Locale.ROOT, "16 MiB (%,d bytes)", MAX_TABLE_BYTES);

  private TableReader() {}

  /**
   * Reads and parses {@code location} ({@code -} for {@code stdin}).
   *
   * @throws TableUnreadableException when the table cannot be read: missing or no permission (an
   *     operational failure), or refused: not a regular file, or larger than {@value
   *     #MAX_TABLE_BYTES} bytes (invalid input, {@link TableUnreadableException#isInvalidInput})
   */
  public static ParseResult read(String location, InputStream stdin)
      throws TableUnreadableException {
    String shown = TerminalText.escape(location);
    if (STDIN.equals(location)) {
      try {
        return TableParser.parse("<stdin>", decode(readBounded(stdin, "<stdin>")));
      } catch (IOException e) {
        throw unreadable(
            "<stdin>: cannot read: " + TerminalText.escape(String.valueOf(e.getMessage())));
      }
    }
    Path path;
    try {
      path = Path.of(location);
    } catch (InvalidPathException e) {
      // Only a control-socket client can pass a NUL; no file name holds one.
      throw refused(shown + ": is not a file name (" + TerminalText.escape(e.getReason()) + ")");
    }
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        throw refused(
            shown
                + ": is "
                + kind(path, attributes)
                + ", not a table file; name a regular file, or '-' to read standard input");
      }
      if (attributes.size() > MAX_TABLE_BYTES) {
        throw refused(tooLarge(shown, String.format(Locale.ROOT, "%,d bytes", attributes.size())));
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(path)) {
        bytes = readBounded(in, shown);
      }
      return parse(location, bytes);
    } catch (NoSuchFileException e) {
      throw unreadable(shown + ": no such file");
    } catch (AccessDeniedException e) {
      throw unreadable(shown + ": permission denied");
    } catch (IOException e) {
      throw unreadable(
          shown + ": cannot read: " + TerminalText.escape(String.valueOf(e.getMessage())));
    }
  }

  /**
   * Parses {@code bytes}. A table within the size limit can still hold more forwards than the heap
   * has room for (some 300 bytes of heap per forward; 16 MiB of the shortest lines is 1.6 million
   * forwards): that is reported as a failure to read it, not as a stack trace. Everything the parse
   * allocated is garbage once it failed, so catching the error here is safe.
   */
  private static ParseResult parse(String source, byte[] bytes) throws TableUnreadableException {
    int size = bytes.length;
    try {
      String text = decode(bytes);
      bytes = null; // Let the parse have the room.
      return TableParser.parse(source, text);
    } catch (OutOfMemoryError e) {
      throw unreadable(
          String.format(
              Locale.ROOT,
              "%s: not enough memory to read this table of %,d bytes with a Java heap of %,d MiB;"
                  + " give Java more (e.g. PORTFWD_JAVA_OPTS=-Xmx1g) or split the table",
              TerminalText.escape(source),
              size,
              Runtime.getRuntime().maxMemory() / (1024 * 1024)));
    }
  }

  /** The bytes of {@code in}, refused once there are more than {@link #MAX_TABLE_BYTES}. */
  private static byte[] readBounded(InputStream in, String shown)
      throws IOException, TableUnreadableException {
    byte[] bytes = in.readNBytes(MAX_TABLE_BYTES + 1);
    if (bytes.length > MAX_TABLE_BYTES) {
      throw refused(tooLarge(shown, "more than that"));
    }
    return bytes;
  }

  private static String tooLarge(String shown, String size) {
    return shown + ": a table may hold at most " + LIMIT + "; this one holds " + size;
  }

  /** What a file that is not a regular file is, in words, for the message that refuses it. */
  private static String kind(Path path, BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    try {
      // st_mode's file type bits; Linux's "unix" attribute view has them.
      int type = (Integer) Files.getAttribute(path, "unix:mode") & 0170000;
      return switch (type) {
        case 0010000 -> "a FIFO (named pipe)";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        default -> "not a regular file";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "not a regular file";
    }
  }

  private static TableUnreadableException unreadable(String message) {
    return new TableUnreadableException(message, /* invalidInput= */ false);
  }

  private static TableUnreadableException refused(String message) {
    return new TableUnreadableException(message, /* invalidInput= */ true);
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

  /**
   * The table could not be read at all: an operational failure (missing, no permission), or input
   * refused before it was parsed (not a regular file, too large). The message is escaped for a
   * terminal.
   */
  public static final class TableUnreadableException extends Exception {
    private final boolean invalidInput;

    public TableUnreadableException(String message, boolean invalidInput) {
      super(message);
      this.invalidInput = invalidInput;
    }

    /** True when the input was refused (exit 2), false when it could not be read (exit 1). */
    public boolean isInvalidInput() {
      return invalidInput;
    }
  }
}
