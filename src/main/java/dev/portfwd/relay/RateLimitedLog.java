package dev.portfwd.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Log lines that clients can cause at any rate (refused connections and datagrams, failed accepts,
 * failed backends), at most one line per kind and interval: the first of a kind at once, and at the
 * end of an interval in which more came, one line with how many and the latest of them. A kind
 * names the event and the forward, never a client address, so the kinds stay few. Thread-safe:
 * every event loop logs here; {@link #flush} runs every second on the relay's timer.
 */
final class RateLimitedLog {

  /** How often a kind of event may be logged. */
  static final Duration INTERVAL = Duration.ofSeconds(10);

  private final Logger logger;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Window> windows = new HashMap<>();

  /** A kind's current interval: when it began, and what came since its line was written. */
  private static final class Window {
    long start;
    long suppressed;
    Level level;
    String latest;

    Window(long start) {
      this.start = start;
    }
  }

  RateLimitedLog(Logger logger, Duration interval, LongSupplier nanoTime) {
    this.logger = logger;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
  }

  RateLimitedLog(Logger logger) {
    this(logger, INTERVAL, System::nanoTime);
  }

  /** Logs {@code line} now, or counts it when a line of {@code kind} was logged this interval. */
  void log(Level level, String kind, String line) {
    log(level, kind, line, null);
  }

  /**
   * As {@link #log(Level, String, String)}; {@code thrown}'s stack trace goes with the line only
   * when the line is written at once (an unexpected error shows its trace once per interval).
   */
  void log(Level level, String kind, String line, Throwable thrown) {
    if (!logger.isLoggable(level)) {
      return;
    }
    String text = line;
    Throwable trace = thrown;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      Window window = windows.get(kind);
      if (window == null) {
        windows.put(kind, new Window(now));
      } else if (now - window.start < intervalNanos) {
        window.suppressed++;
        window.level = level;
        window.latest = line;
        return;
      } else {
        if (window.suppressed > 0) {
          // The interval's count is due and this event joins it: still one line.
          window.suppressed++;
          window.latest = line;
          text = summary(window, now);
          trace = null;
        }
        window.start = now;
        window.suppressed = 0;
      }
    }
    logger.log(level, text, trace);
  }

  /**
   * Writes the count of every kind whose interval is over; forgets kinds that stayed quiet for a
   * whole interval.
   */
  void flush() {
    flush(/* all= */ false);
  }

  /** Writes every count still pending, whatever its interval (at shutdown). */
  void flushAll() {
    flush(/* all= */ true);
  }

  private void flush(boolean all) {
    List<Map.Entry<Level, String>> due = new ArrayList<>();
    synchronized (this) {
      long now = nanoTime.getAsLong();
      for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
        Window window = it.next();
        if (!all && now - window.start < intervalNanos) {
          continue;
        }
        if (window.suppressed == 0) {
          it.remove();
          continue;
        }
        due.add(Map.entry(window.level, summary(window, now)));
        window.start = now;
        window.suppressed = 0;
      }
    }
    due.forEach(line -> logger.log(line.getKey(), line.getValue()));
  }

  private String summary(Window window, long now) {
    long seconds = Math.max(1, Math.round((now - window.start) / 1e9));
    return window.latest + " [" + window.suppressed + " like this in the last " + seconds + " s]";
  }
}
