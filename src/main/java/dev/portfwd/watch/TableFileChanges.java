package dev.portfwd.watch;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The edits of one table file, each reported once the file has been quiet for {@code debounce}.
 * Used by {@code portfwd watch} ({@link Watcher}) and by the relay's reload on change.
 *
 * <p>The file's directory is watched, not the file: editors and config tools save by writing a new
 * file and renaming it over the old one, which a watch on the old file would never see. Only events
 * naming the file count, plus OVERFLOW (events were lost, so the file may have changed). One save
 * is often several events; debouncing reads it once, whole. Waiting is inotify on Linux ({@link
 * WatchService}), so an idle wait costs no CPU.
 *
 * <p>Threading: one thread waits ({@link #awaitChange()} or {@link #awaitChange(long)}); any thread
 * may {@link #close()} to wake it, which then throws {@link ClosedWatchServiceException}.
 */
public final class TableFileChanges implements AutoCloseable {

  private final WatchService service;
  private final Path fileName;
  private final long debounceNanos;
  private final Runnable onDirectoryGone;
  // Touched only by the waiting thread.
  private boolean changePending;
  private long changedAt;

  private TableFileChanges(
      WatchService service, Path fileName, Duration debounce, Runnable onDirectoryGone) {
    this.service = service;
    this.fileName = fileName;
    this.debounceNanos = debounce.toNanos();
    this.onDirectoryGone = onDirectoryGone;
  }

  /**
   * Starts watching {@code table}'s directory.
   *
   * @param debounce how long the file must be quiet before a change is reported
   * @param onDirectoryGone runs once, on the waiting thread, when the directory is deleted or
   *     becomes unwatchable; no change is reported after that
   * @throws IOException when the directory cannot be watched (missing, unreadable, out of inotify
   *     watches)
   */
  public static TableFileChanges watch(Path table, Duration debounce, Runnable onDirectoryGone)
      throws IOException {
    Path absolute = table.toAbsolutePath();
    WatchService service = FileSystems.getDefault().newWatchService();
    try {
      absolute
          .getParent()
          .register(
              service,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | RuntimeException e) {
      service.close();
      throw e;
    }
    return new TableFileChanges(service, absolute.getFileName(), debounce, onDirectoryGone);
  }

  /**
   * Blocks until the file changed and has then been quiet for the debounce.
   *
   * @throws ClosedWatchServiceException when {@link #close()} was called
   */
  public void awaitChange() throws InterruptedException {
    await(/* bounded= */ false, 0);
  }

  /**
   * Blocks until the file changed and has then been quiet for the debounce, or until {@link
   * System#nanoTime()} reaches {@code deadline}. A change still settling at the deadline is
   * reported by a later call.
   *
   * @return true for a change, false at the deadline
   * @throws ClosedWatchServiceException when {@link #close()} was called
   */
  public boolean awaitChange(long deadline) throws InterruptedException {
    return await(/* bounded= */ true, deadline);
  }

  private boolean await(boolean bounded, long deadline) throws InterruptedException {
    while (true) {
      WatchKey key = nextKey(bounded, deadline);
      if (key != null) {
        if (concernsFile(key)) {
          changePending = true;
          changedAt = System.nanoTime();
        }
        if (!key.reset()) {
          onDirectoryGone.run();
        }
      }
      long now = System.nanoTime();
      if (changePending && now - changedAt >= debounceNanos) {
        changePending = false;
        return true;
      }
      if (bounded && now >= deadline) {
        return false;
      }
    }
  }

  /** Sleeps until an event, the end of a pending debounce, or the deadline; null when no event. */
  private WatchKey nextKey(boolean bounded, long deadline) throws InterruptedException {
    if (!changePending && !bounded) {
      return service.take();
    }
    long settledAt = changedAt + debounceNanos;
    long wakeAt = !changePending ? deadline : bounded ? Math.min(deadline, settledAt) : settledAt;
    return service.poll(Math.max(1, wakeAt - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private boolean concernsFile(WatchKey key) {
    boolean concerns = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      // OVERFLOW means events were lost: the file may have changed, so read it again.
      if (event.kind() == StandardWatchEventKinds.OVERFLOW || fileName.equals(event.context())) {
        concerns = true;
      }
    }
    return concerns;
  }

  /**
   * Stops watching; a thread waiting in {@code awaitChange} wakes with {@link
   * ClosedWatchServiceException}.
   */
  @Override
  public void close() throws IOException {
    service.close();
  }
}
