package dev.portfwd.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableFileChangesTest {

  static final Duration DEBOUNCE = Duration.ofMillis(100);

  @TempDir Path dir;

  final AtomicInteger directoryGone = new AtomicInteger();

  Path table() {
    return dir.resolve("ports.txt");
  }

  TableFileChanges watch(Path table) throws Exception {
    return TableFileChanges.watch(table, DEBOUNCE, directoryGone::incrementAndGet);
  }

  static long inMillis(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void reportsAnEditorSavingByRename() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    try (TableFileChanges changes = watch(table())) {
      Path temp = dir.resolve(".ports.txt.swp");
      Files.writeString(temp, "2000 192.0.2.3 tcp\n");
      Files.move(
          temp, table(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      assertThat(changes.awaitChange(inMillis(10_000))).isTrue();
    }
  }

  @Test
  void ignoresOtherFilesInTheDirectoryUntilTheDeadline() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    try (TableFileChanges changes = watch(table())) {
      Files.writeString(dir.resolve("other.txt"), "x");
      long start = System.nanoTime();
      assertThat(changes.awaitChange(inMillis(500))).isFalse();
      assertThat(System.nanoTime() - start)
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    }
  }

  @Test
  void reportsABurstOfWritesOnceAfterItSettles() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    try (TableFileChanges changes = watch(table())) {
      long lastWrite = 0;
      for (int i = 0; i < 5; i++) {
        Files.writeString(table(), "1000 192.0.2.2 tcp\n".repeat(i + 1));
        lastWrite = System.nanoTime();
        Thread.sleep(10);
      }
      assertThat(changes.awaitChange(inMillis(10_000))).isTrue();
      assertThat(System.nanoTime() - lastWrite).isGreaterThanOrEqualTo(DEBOUNCE.toNanos());
      assertThat(changes.awaitChange(inMillis(400))).as("the burst is one change").isFalse();
    }
  }

  @Test
  void aChangeStillSettlingAtTheDeadlineIsReportedByTheNextWait() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    try (TableFileChanges changes =
        TableFileChanges.watch(table(), Duration.ofMillis(500), directoryGone::incrementAndGet)) {
      Files.writeString(table(), "2000 192.0.2.3 tcp\n");
      assertThat(changes.awaitChange(inMillis(200))).isFalse();
      assertThat(changes.awaitChange(inMillis(10_000))).isTrue();
    }
  }

  @Test
  void reportsTheDirectoryGoneOnce() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("etc"));
    Path table = Files.writeString(sub.resolve("ports.txt"), "1000 192.0.2.2 tcp\n");
    try (TableFileChanges changes = watch(table)) {
      Files.delete(table);
      Files.delete(sub);
      assertThat(changes.awaitChange(inMillis(10_000))).as("the table was deleted").isTrue();
      assertThat(changes.awaitChange(inMillis(300))).isFalse();
      assertThat(directoryGone).hasValue(1);
    }
  }

  @Test
  void closeWakesAWaitingThread() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    TableFileChanges changes = watch(table());
    CompletableFuture<Void> waiting =
        CompletableFuture.runAsync(
            () -> {
              try {
                changes.awaitChange();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(100);
    changes.close();
    assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(ClosedWatchServiceException.class);
  }

  @Test
  void aMissingDirectoryCannotBeWatched() {
    assertThatThrownBy(() -> watch(dir.resolve("missing/ports.txt")))
        .isInstanceOf(IOException.class);
  }
}
