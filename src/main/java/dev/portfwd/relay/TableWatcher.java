package dev.portfwd.relay;

import dev.portfwd.watch.TableFileChanges;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Calls back each time the table file has been edited and has then been quiet for the debounce.
 * {@link TableFileChanges} does the watching (the file's directory, so saves by rename are seen)
 * and the debouncing; this class gives it a daemon thread of its own, so the relay's control thread
 * never blocks on the file system.
 */
final class TableWatcher implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(TableWatcher.class.getPackageName());

  private final TableFileChanges changes;
  private final Thread thread;

  private TableWatcher(TableFileChanges changes, Thread thread) {
    this.changes = changes;
    this.thread = thread;
  }

  /**
   * Starts watching {@code table}; {@code onChange} runs on the watcher's own daemon thread.
   *
   * @throws IOException when the table's directory cannot be watched
   */
  static TableWatcher start(Path table, Duration debounce, Runnable onChange) throws IOException {
    TableFileChanges changes =
        TableFileChanges.watch(
            table,
            debounce,
            () ->
                LOG.warning(
                    "stopped watching the table: its directory is gone; SIGHUP still reloads"));
    Thread thread = new Thread(() -> loop(changes, onChange), "portfwd-table-watcher");
    thread.setDaemon(true);
    thread.start();
    return new TableWatcher(changes, thread);
  }

  private static void loop(TableFileChanges changes, Runnable onChange) {
    try {
      while (true) {
        changes.awaitChange();
        onChange.run();
      }
    } catch (InterruptedException | ClosedWatchServiceException stopped) {
      // close() was called.
    }
  }

  @Override
  public void close() throws IOException {
    changes.close();
    thread.interrupt();
  }
}
