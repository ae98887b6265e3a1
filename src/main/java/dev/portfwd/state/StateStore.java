package dev.portfwd.state;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state directory's files: the history of applied states ({@code history/NNNNNNNNNN.state},
 * newest = live, the last {@value #KEEP} kept), the pending confirmation ({@code pending.state})
 * and a lock file. Every file is written to a new temporary file of a random name (never one that
 * exists, never through a symbolic link), synced, and renamed, and the directory synced: a crash
 * leaves the old or the new file, never half of one. Before the first use the directory is checked
 * ({@link StateDirCheck}): one that another user could change is refused, since root restores what
 * it records. Readers and writers that must agree (apply, confirm, rollback, the rollback timer,
 * watch) hold {@link #lock()} across their read-modify-write; the engine holds it across a whole
 * change, from reading the live state to recording the new one.
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

  /** The real path of {@link #dir} once {@link StateDirCheck} accepted it; null before. */
  private volatile Path checked;

  public StateStore(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  /** The directory as given, for messages; the files are reached through its checked real path. */
  public Path dir() {
    return dir;
  }

  /**
   * Checks the directory (once per store) and returns its real path; creates nothing.
   *
   * @throws UnsafeStateDirException when another user could change it: nothing in it is used
   */
  public Path requireSafe() throws IOException {
    Path real = checked;
    if (real == null) {
      real = StateDirCheck.verify(dir);
      checked = real;
    }
    return real;
  }

  /** The checked directory, or the given one before the check (for names only, never I/O). */
  private Path base() {
    Path real = checked;
    return real == null ? dir : real;
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
    Path root = requireSafe();
    createDirectories(root);
    Path file = root.resolve("lock");
    FileChannel channel =
        FileChannel.open(
            file,
            Set.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(StateDirCheck.FILE_MODE));
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
                generation, SnapshotCodec.read(readText(file, "move it away and apply again"))));
      } catch (RuntimeException e) {
        throw new IOException(
            file + " is damaged (" + firstLine(e) + "); move it away and apply again", e);
      }
    }
    return entries;
  }

  /** The generation numbers kept, newest first, from the file names alone. */
  private List<Long> generations() throws IOException {
    Path history = requireSafe().resolve("history");
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

  /**
   * A mark that changes whenever any process records, replaces or drops an applied state (the
   * history folder's modification time: each of those renames or deletes a file in it); empty
   * before the first. Costs one {@code stat}, so readers can tell cheaply whether what they hold of
   * the live state may be out of date.
   */
  public Optional<FileTime> historyMark() throws IOException {
    Path history = requireSafe().resolve("history");
    try {
      return Optional.of(Files.getLastModifiedTime(history, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
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
    long generation = Math.max(generations.isEmpty() ? 0 : generations.get(0), lastIssued()) + 1;
    // First the number, then the state: a crash between them skips a number, never reuses one.
    writeAtomically(lastIssuedFile(), generation + "\n");
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

  /** Forgets the state of {@code generation} alone (one superseded by the state above it). */
  public void forget(long generation) throws IOException {
    Files.deleteIfExists(historyFile(generation));
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
    Path file = requireSafe().resolve(PENDING);
    try {
      return Optional.of(
          SnapshotCodec.readPending(readText(file, "move it away, then check 'portfwd status'")));
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
    Path file = requireSafe().resolve(PENDING);
    String first;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      first = reader.readLine();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (CharacterCodingException e) {
      throw notText(file, "move it away, then check 'portfwd status'", e);
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

  /**
   * The text of {@code file}; bytes that are not UTF-8 make it damaged, named with {@code advice}.
   */
  private static String readText(Path file, String advice) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw notText(file, advice, e);
    }
  }

  private static IOException notText(Path file, String advice, CharacterCodingException e) {
    // Its own message ("Input length = 1") names neither the file nor the problem.
    return new IOException(file + " is damaged (not UTF-8 text); " + advice, e);
  }

  public void writePending(PendingConfirmation pending) throws IOException {
    writeAtomically(requireSafe().resolve(PENDING), SnapshotCodec.write(pending));
  }

  /** Deletes the pending record, durably: a confirmation must not come back after a crash. */
  public void clearPending() throws IOException {
    Path root = requireSafe();
    if (Files.deleteIfExists(root.resolve(PENDING))) {
      syncDirectory(root);
    }
  }

  /** The file a rollback timer creates once it runs, so apply knows the safety net is armed. */
  public Path armedMarker(String id) {
    return base().resolve("timer-" + id + ".armed");
  }

  /** Creates {@link #armedMarker} holding {@code text}. */
  void markArmed(String id, String text) throws IOException {
    requireSafe();
    writeAtomically(armedMarker(id), text);
  }

  /** Where the detached rollback timer writes what it did. */
  public Path timerLog() {
    return base().resolve("rollback.log");
  }

  /** The file of the pending confirmation, for messages. */
  Path pendingFile() {
    return base().resolve(PENDING);
  }

  /** The file of the applied state {@code generation}. */
  /**
   * The highest generation ever recorded here, also one a rollback dropped since: numbers are never
   * given twice, so an id someone saw in the history (the dashboard's page, {@code rollback
   * --list}) cannot come to mean another state. 0 before the first, or when the file is unreadable
   * (the kept files' numbers still count).
   */
  private long lastIssued() throws IOException {
    try {
      return Long.parseLong(Files.readString(lastIssuedFile(), StandardCharsets.UTF_8).strip());
    } catch (NoSuchFileException | NumberFormatException e) {
      return 0;
    }
  }

  private Path lastIssuedFile() throws IOException {
    return requireSafe().resolve("history").resolve("last-generation");
  }

  Path historyFile(long generation) throws IOException {
    return requireSafe().resolve("history").resolve(String.format("%010d.state", generation));
  }

  private static String firstLine(Exception e) {
    return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
  }

  /**
   * Replaces {@code file} with {@code text} atomically and durably: written to a new file of a
   * random name beside it (created, never opened if it exists, never through a symbolic link, owner
   * only), synced, renamed over {@code file}, and the directory synced.
   */
  static void writeAtomically(Path file, String text) throws IOException {
    Path parent = file.getParent();
    createDirectories(parent);
    Path temp = parent.resolve("." + file.getFileName() + "." + randomSuffix() + ".tmp");
    try {
      try (FileChannel out =
          FileChannel.open(
              temp,
              Set.of(
                  StandardOpenOption.WRITE,
                  StandardOpenOption.CREATE_NEW,
                  LinkOption.NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(StateDirCheck.FILE_MODE))) {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      // Both names are in one directory: the rename is atomic.
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    syncDirectory(parent);
  }

  /** Creates {@code directory} and its missing parents owner-only ({@code 0700}). */
  private static void createDirectories(Path directory) throws IOException {
    Files.createDirectories(
        directory, PosixFilePermissions.asFileAttribute(StateDirCheck.DIRECTORY_MODE));
  }

  /** Makes renames and deletions in {@code directory} durable (fsync of the directory). */
  private static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static String randomSuffix() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static final SecureRandom RANDOM = new SecureRandom();
}
