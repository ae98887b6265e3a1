package dev.portfwd.state;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state directory's files: the history of applied states ({@code history/NNNNNNNNNN.state},
 * newest = live, the last {@value #KEEP} kept), the pending confirmation ({@code pending.state})
 * and a lock file. Every file is written to a temporary name and renamed, so a crash leaves the old
 * or the new file, never half of one. Readers and writers that must agree (apply, confirm,
 * rollback, the rollback timer, watch) hold {@link #lock()} across their read-modify-write; the
 * engine holds it across a whole change, from reading the live state to recording the new one.
 */
public final class StateStore {

  /** How many applied states are kept for {@code rollback}. */
  public static final int KEEP = 10;

  private static final String PENDING = "pending.state";

  /** How long a command waits for another one's change to finish before it gives up. */
  public static final Duration LOCK_WAIT = Duration.ofSeconds(30);

  private static final Duration LOCK_POLL = Duration.ofMillis(20);

  private final Path dir;
  private final ReentrantLock threads = new ReentrantLock();

  public StateStore(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  public Path dir() {
    return dir;
  }

  /** One applied state and its generation number (increasing, never reused while kept). */
  public record Entry(long generation, Snapshot snapshot) {}

  /** An exclusive lock on the state directory between processes; close it to release. */
  public interface Lock extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /**
   * {@link #lock(Duration)} with {@link #LOCK_WAIT}: long enough for another apply of a large table
   * or a rollback to finish, short enough that a hung holder is reported rather than waited on.
   */
  public Lock lock() throws IOException {
    return lock(LOCK_WAIT);
  }

  /**
   * Waits up to {@code wait} until this thread holds the state directory's lock, which excludes
   * other processes (a lock on the file {@code lock}) and other threads of this one. The holder may
   * take it again (nested steps of one change); the file lock is released when the outermost hold
   * is closed. Creates the directory when missing.
   *
   * @throws StateLockedException when another holder keeps it longer than {@code wait}
   * @throws IOException when the directory cannot be created or locked (e.g. not root)
   */
  public Lock lock(Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      if (!threads.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new StateLockedException(dir, wait, "another thread of this process");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the lock of " + dir);
    }
    if (threads.getHoldCount() > 1) {
      return threads::unlock;
    }
    try {
      FileLock held = lockFile(deadline, wait);
      return () -> {
        try (FileChannel channel = held.channel()) {
          held.release();
        } finally {
          threads.unlock();
        }
      };
    } catch (IOException | RuntimeException e) {
      threads.unlock();
      throw e;
    }
  }

  /** True while this thread holds {@link #lock}: steps that must run under it check. */
  public boolean isLockedByThisThread() {
    return threads.isHeldByCurrentThread();
  }

  private FileLock lockFile(long deadline, Duration wait) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("lock");
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      while (true) {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          // Who holds it, for the message of whoever waits in vain.
          channel.truncate(0);
          channel.write(ByteBuffer.wrap(holder().getBytes(StandardCharsets.UTF_8)), 0);
          return lock;
        }
        if (System.nanoTime() >= deadline) {
          throw new StateLockedException(
              dir, wait, Files.readString(file, StandardCharsets.UTF_8).strip());
        }
        Thread.sleep(LOCK_POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.close();
      throw new InterruptedIOException("interrupted while waiting for the lock of " + dir);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static String holder() {
    return "pid " + ProcessHandle.current().pid() + "\n";
  }

  /**
   * The applied states, newest (the live one) first. Reads every file: use {@link #latest} when
   * fewer do.
   */
  public List<Entry> history() throws IOException {
    return latest(Integer.MAX_VALUE);
  }

  /** The newest {@code count} applied states, newest first; reads only those files. */
  public List<Entry> latest(int count) throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (long generation : generations().stream().limit(count).toList()) {
      Path file = historyFile(generation);
      try {
        entries.add(
            new Entry(
                generation, SnapshotCodec.read(Files.readString(file, StandardCharsets.UTF_8))));
      } catch (RuntimeException e) {
        throw new IOException(
            file + " is damaged (" + firstLine(e) + "); move it away and apply again", e);
      }
    }
    return entries;
  }

  /** The generation numbers kept, newest first, from the file names alone. */
  private List<Long> generations() throws IOException {
    Path history = dir.resolve("history");
    if (!Files.isDirectory(history)) {
      return List.of();
    }
    List<Long> generations = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(history, "[0-9]*.state")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        try {
          generations.add(Long.parseLong(name.substring(0, name.length() - ".state".length())));
        } catch (NumberFormatException e) {
          // Not one of portfwd's files (e.g. "1.backup.json"): leave it alone.
        }
      }
    }
    generations.sort(Comparator.reverseOrder());
    return generations;
  }

  /** The newest applied state, if portfwd applied anything with this state directory. */
  public Optional<Entry> current() throws IOException {
    return latest(1).stream().findFirst();
  }

  /** True when {@code generation} is still kept (not undone). */
  public boolean contains(long generation) throws IOException {
    return generations().contains(generation);
  }

  /**
   * Records {@code snapshot} as the live state; returns its generation. Drops the oldest beyond
   * KEEP.
   */
  public long push(Snapshot snapshot) throws IOException {
    List<Long> generations = generations();
    long generation = generations.isEmpty() ? 1 : generations.get(0) + 1;
    writeAtomically(historyFile(generation), SnapshotCodec.write(snapshot));
    for (long old :
        generations.subList(Math.min(generations.size(), KEEP - 1), generations.size())) {
      Files.deleteIfExists(historyFile(old));
    }
    return generation;
  }

  /** Replaces the snapshot of {@code generation} (e.g. to update its time after a no-op apply). */
  public void replace(long generation, Snapshot snapshot) throws IOException {
    writeAtomically(historyFile(generation), SnapshotCodec.write(snapshot));
  }

  /** Forgets every state from {@code generation} on: they were undone. */
  public void dropFrom(long generation) throws IOException {
    for (long kept : generations()) {
      if (kept >= generation) {
        Files.deleteIfExists(historyFile(kept));
      }
    }
  }

  public Optional<PendingConfirmation> pending() throws IOException {
    Path file = dir.resolve(PENDING);
    try {
      return Optional.of(SnapshotCodec.readPending(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      throw new IOException(
          file + " is damaged (" + firstLine(e) + "); move it away, then check 'portfwd status'",
          e);
    }
  }

  /**
   * {@link #pending()}'s id, deadline and backend, from the record's first line only: cheap enough
   * to poll several times a second whatever the number of forwards to restore.
   */
  public Optional<PendingConfirmation.Head> pendingHead() throws IOException {
    Path file = dir.resolve(PENDING);
    String first;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      first = reader.readLine();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      if (first == null) {
        throw new IllegalArgumentException("empty file");
      }
      return Optional.of(SnapshotCodec.readPendingHead(first));
    } catch (RuntimeException e) {
      throw new IOException(
          file + " is damaged (" + firstLine(e) + "); move it away, then check 'portfwd status'",
          e);
    }
  }

  public void writePending(PendingConfirmation pending) throws IOException {
    writeAtomically(dir.resolve(PENDING), SnapshotCodec.write(pending));
  }

  public void clearPending() throws IOException {
    Files.deleteIfExists(dir.resolve(PENDING));
  }

  /** The file a rollback timer creates once it runs, so apply knows the safety net is armed. */
  public Path armedMarker(String id) {
    return dir.resolve("timer-" + id + ".armed");
  }

  /** Where the detached rollback timer writes what it did. */
  public Path timerLog() {
    return dir.resolve("rollback.log");
  }

  private Path historyFile(long generation) {
    return dir.resolve("history").resolve(String.format("%010d.state", generation));
  }

  private static String firstLine(Exception e) {
    return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
  }

  static void writeAtomically(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(temp, text, StandardCharsets.UTF_8);
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
