package dev.portfwd.relay;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.logging.Logger;

/**
 * Calls back when the table file changes. It watches the file's directory, not the file: editors
 * and config tools replace a file by renaming a new one over it, which a watch on the old file
 * would never see. Debouncing is the caller's job (one save is often several events).
 */
final class TableWatcher implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(TableWatcher.class.getPackageName());

  private final WatchService service;
  private final Thread thread;

  private TableWatcher(WatchService service, Thread thread) {
    this.service = service;
    this.thread = thread;
  }

  /** Starts watching {@code table}; {@code onChange} runs on the watcher's own daemon thread. */
  static TableWatcher start(Path table, Runnable onChange) throws IOException {
    Path absolute = table.toAbsolutePath();
    Path directory = absolute.getParent();
    Path name = absolute.getFileName();
    WatchService service = FileSystems.getDefault().newWatchService();
    directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    Thread thread = new Thread(() -> loop(service, name, onChange), "portfwd-table-watcher");
    thread.setDaemon(true);
    thread.start();
    return new TableWatcher(service, thread);
  }

  private static void loop(WatchService service, Path name, Runnable onChange) {
    try {
      while (true) {
        WatchKey key = service.take();
        boolean ours = false;
        for (WatchEvent<?> event : key.pollEvents()) {
          Object context = event.context();
          ours |= event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(context);
        }
        if (ours) {
          onChange.run();
        }
        if (!key.reset()) {
          LOG.warning("stopped watching the table: its directory is gone; SIGHUP still reloads");
          return;
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException stopped) {
      // close() was called.
    }
  }

  @Override
  public void close() throws IOException {
    service.close();
    thread.interrupt();
  }
}
