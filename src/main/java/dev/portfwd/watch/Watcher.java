package dev.portfwd.watch;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.DriftProbe;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.table.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code portfwd watch}: keeps the kernel holding the table. Applies at start; re-applies when the
 * file changes; reconciles drift (someone flushed the ruleset or deleted portfwd's table).
 *
 * <p>One thread, which sleeps in {@link TableFileChanges#awaitChange(long)} (inotify on Linux)
 * until an edit of the table has settled or the next drift check is due: no busy loop, near-zero
 * CPU when idle. {@link TableFileChanges} watches the parent directory, so editors that save by
 * renaming a new file over the old one are seen, and debounces: the table is read once it has been
 * quiet for {@code debounce}, so a save in several writes is read once, whole. An invalid edit is
 * reported and the rules in force stay; the last valid table remains the one drift is checked
 * against.
 */
public final class Watcher {

  private final Path table;
  private final WatchTarget target;
  private final Duration interval;
  private final Duration fullInterval;
  private final DriftProbe probe;
  private final Duration debounce;
  private final PrintWriter log;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean stopping;
  private long lastFullCheck;
  private Optional<String> lastFingerprint = Optional.empty();
  private volatile TableFileChanges changes;

  /** A watcher whose every drift check is a full one. */
  public Watcher(
      Path table, WatchTarget target, Duration interval, Duration debounce, PrintWriter log) {
    this(table, target, interval, interval, DriftProbe.NONE, debounce, log);
  }

  /**
   * @param interval how often the live rules are looked at (drift)
   * @param fullInterval how often, at most, a look may be the cheap {@code probe} alone: after this
   *     long a full comparison runs even when the probe saw no change
   * @param debounce how long the directory must be quiet before an edited table is read
   * @param log where each apply, drift repair and problem is reported, one line each
   */
  public Watcher(
      Path table,
      WatchTarget target,
      Duration interval,
      Duration fullInterval,
      DriftProbe probe,
      Duration debounce,
      PrintWriter log) {
    this.table = table.toAbsolutePath();
    this.target = target;
    this.interval = interval;
    this.fullInterval = fullInterval;
    this.probe = probe;
    this.debounce = debounce;
    this.log = log;
  }

  /**
   * Runs until {@link #stop()}.
   *
   * @return false when the table was invalid at start (nothing was applied)
   * @throws IOException when the table's directory cannot be watched
   */
  public boolean run() throws IOException {
    // Watching starts before the table is read: an edit saved while the first apply runs is seen
    // and applied, where reading first would miss it until the next edit.
    try (TableFileChanges changes =
        TableFileChanges.watch(
            table,
            debounce,
            () ->
                say(
                    table.getParent()
                        + " is gone; drift checks continue with the last valid table"))) {
      this.changes = changes;
      Optional<DesiredState> loaded = target.load();
      if (loaded.isEmpty()) {
        say(table + " has errors; nothing applied");
        return false;
      }
      DesiredState desired = loaded.get();
      reconcile(desired, Reason.START);
      if (stopping) {
        return true;
      }
      say(
          "watching "
              + table
              + " (drift check every "
              + seconds(interval)
              + (probe == DriftProbe.NONE
                  ? ""
                  : ", in full at least every " + seconds(fullInterval))
              + ")");
      long nextDrift = System.nanoTime() + interval.toNanos();
      while (!stopping) {
        boolean changed = changes.awaitChange(nextDrift);
        long now = System.nanoTime();
        if (changed) {
          desired = reload(desired);
        }
        if (now >= nextDrift) {
          if (fullCheckDue(now)) {
            reconcile(desired, Reason.DRIFT);
          }
          nextDrift = System.nanoTime() + interval.toNanos();
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // stop() closed the service or interrupted the wait: leave quietly.
    } finally {
      say("stopped; the rules in force stay (run 'portfwd remove' to take them out)");
      done.countDown();
    }
    return true;
  }

  /**
   * Ends {@link #run()} and waits up to {@code timeout} for it to finish its current step.
   *
   * @return false when it did not finish in time (e.g. a hung {@code nft})
   */
  public boolean stop(Duration timeout) {
    stopping = true;
    TableFileChanges watching = changes;
    if (watching != null) {
      try {
        watching.close();
      } catch (IOException e) {
        // Closing only wakes the loop; it checks 'stopping' on its next turn anyway.
      }
    }
    try {
      return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private DesiredState reload(DesiredState inForce) {
    if (!Files.exists(table)) {
      say(table + " was removed; the rules in force stay until it is back");
      return inForce;
    }
    Optional<DesiredState> loaded = target.load();
    if (loaded.isEmpty()) {
      say(table + " has errors; the rules in force stay until it is fixed");
      return inForce;
    }
    reconcile(loaded.get(), Reason.EDIT);
    return loaded.get();
  }

  /**
   * True when the probe saw portfwd's objects change, has none, failed, or the last full check is
   * {@code fullInterval} old. The fingerprint is taken after each full check, so the watcher's own
   * changes do not count as drift.
   */
  private boolean fullCheckDue(long now) {
    if (now - lastFullCheck >= fullInterval.toNanos() || lastFingerprint.isEmpty()) {
      return true;
    }
    try {
      return !probe.fingerprint().equals(lastFingerprint);
    } catch (BackendException e) {
      return true;
    }
  }

  private void reconcile(DesiredState desired, Reason reason) {
    try {
      lastFullCheck = System.nanoTime();
      WatchTarget.Reconciled result = target.reconcile(desired, reason);
      lastFingerprint = probe.fingerprint();
      if (result.skipped() != null) {
        lastFingerprint = Optional.empty(); // look in full again next time
        say("not checked: " + result.skipped());
        return;
      }
      String what =
          switch (reason) {
            case START -> "applied " + table;
            case EDIT -> table + " changed; applied it";
            case DRIFT -> "live rules drifted from " + table + "; re-applied";
            case BACKENDS -> "backends changed; applied";
          };
      if (result.changedSomething() || reason != Reason.DRIFT) {
        say(
            what
                + ": "
                + (result.plan().isEmpty()
                    ? "forwards already in place"
                    : result.plan().summary()));
        // Descriptions are the table's text: the journal and a terminal get them escaped.
        result.plan().changes().stream()
            .limit(20)
            .forEach(change -> say("  " + TerminalText.escape(change.describe())));
        result.notes().forEach(this::say);
      }
    } catch (BackendException e) {
      lastFingerprint = Optional.empty();
      say(
          "could not "
              + (reason == Reason.DRIFT ? "check or repair" : "apply")
              + " the rules: "
              + e.getMessage()
              + "; trying again in "
              + interval.toMillis() / 1000.0
              + " s");
    }
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() / 1000.0 + " s";
  }

  private void say(String line) {
    log.println("portfwd watch: " + line);
    log.flush();
  }
}
