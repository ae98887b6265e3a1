package dev.portfwd.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link TableReader} accepts as a table and what it refuses, and how. */
class TableReaderTest {

  private static final InputStream NO_STDIN = InputStream.nullInputStream();

  @Test
  void refusesACharacterDeviceWithoutReadingIt() {
    // The reproducer of issue 12: check /dev/zero read until the heap ran out.
    TableReader.TableUnreadableException refused =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refusal("/dev/zero"));

    assertThat(refused.isInvalidInput()).isTrue();
    assertThat(refused.getMessage())
        .isEqualTo(
            "/dev/zero: is a character device, not a table file; name a regular file, or '-' to"
                + " read standard input");
  }

  @Test
  void refusesAFifoWithoutWaitingForAWriter(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("ports.txt");
    assumeTrue(mkfifo(fifo), "mkfifo is not available");

    TableReader.TableUnreadableException refused =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refusal(fifo.toString()));

    assertThat(refused.isInvalidInput()).isTrue();
    assertThat(refused.getMessage()).contains(": is a FIFO (named pipe), not a table file");
  }

  @Test
  void refusesADirectory(@TempDir Path dir) {
    TableReader.TableUnreadableException refused = refusal(dir.toString());

    assertThat(refused.isInvalidInput()).isTrue();
    assertThat(refused.getMessage())
        .isEqualTo(
            dir
                + ": is a directory, not a table file;"
                + " name a regular file, or '-' to read standard input");
  }

  @Test
  void refusesAFileLargerThanTheLimitBeforeReadingIt(@TempDir Path dir) throws IOException {
    Path big = dir.resolve("big.txt");
    try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(TableReader.MAX_TABLE_BYTES + 1L); // sparse: nothing is written
    }

    TableReader.TableUnreadableException refused = refusal(big.toString());

    assertThat(refused.isInvalidInput()).isTrue();
    assertThat(refused.getMessage())
        .isEqualTo(
            big
                + ": a table may hold at most 16 MiB (16,777,216 bytes); this one holds"
                + " 16,777,217 bytes");
  }

  @Test
  void acceptsAFileOfExactlyTheLimit(@TempDir Path dir) throws Exception {
    Path table = dir.resolve("ports.txt");
    byte[] bytes = new byte[TableReader.MAX_TABLE_BYTES];
    byte[] line = "# a comment\n".getBytes();
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = line[i % line.length];
    }
    Files.write(table, bytes);

    ParseResult result = TableReader.read(table.toString(), NO_STDIN);

    assertThat(result.hasErrors()).isFalse();
    assertThat(result.table().forwards()).isEmpty();
  }

  @Test
  void refusesStandardInputPastTheLimitAfterReadingOneByteMore() {
    CountingZeros zeros = new CountingZeros();

    TableReader.TableUnreadableException refused =
        catchThrowableOfType(
            () -> TableReader.read("-", zeros), TableReader.TableUnreadableException.class);

    assertThat(refused.isInvalidInput()).isTrue();
    assertThat(refused.getMessage())
        .isEqualTo(
            "<stdin>: a table may hold at most 16 MiB (16,777,216 bytes); this one holds more"
                + " than that");
    assertThat(zeros.read).isEqualTo(TableReader.MAX_TABLE_BYTES + 1L);
  }

  @Test
  void readsStandardInput() throws Exception {
    ParseResult result =
        TableReader.read("-", new ByteArrayInputStream("80 192.0.2.2\n".getBytes()));

    assertThat(result.table().source()).isEqualTo("<stdin>");
    assertThat(result.table().forwards()).hasSize(1);
  }

  @Test
  void aMissingFileIsAFailureNotInvalidInput(@TempDir Path dir) {
    TableReader.TableUnreadableException unreadable = refusal(dir.resolve("nope").toString());

    assertThat(unreadable.isInvalidInput()).isFalse();
    assertThat(unreadable.getMessage()).endsWith("nope: no such file");
  }

  @Test
  void escapesTheFileNameInItsMessages(@TempDir Path dir) {
    String name = dir.resolve("a\u001b]0;pwned\u0007").toString();

    assertThat(refusal(name).getMessage()).endsWith("a\\x1b]0;pwned\\x07: no such file");
  }

  private static TableReader.TableUnreadableException refusal(String location) {
    return catchThrowableOfType(
        () -> TableReader.read(location, NO_STDIN), TableReader.TableUnreadableException.class);
  }

  private static boolean mkfifo(Path path) throws InterruptedException {
    try {
      Process process = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Endless zero bytes, like {@code /dev/zero} on standard input, counting what was read. */
  private static final class CountingZeros extends InputStream {
    long read;

    @Override
    public int read() {
      read++;
      return 0;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      read += length;
      return length;
    }
  }
}
