package dev.portfwd.engine;

import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

/**
 * One read of the kernel's counters shared by everyone in the service who asks within a short
 * while: {@code status} for clients, the dashboard's polls and {@code /metrics}. Listing a large
 * table's counters costs {@code nft} more CPU than a client wants to wait for (bench/RESULTS.md); a
 * read younger than the asker's {@code maxAge} is served as it is, with its time, so the asker can
 * say how old it is.
 *
 * <p>A read is dropped as soon as the forwards may have changed: when the engine made a change, or
 * when any process recorded one in the state directory (a {@code --direct} apply). Changes made
 * outside portfwd are seen at the next read, at most {@code maxAge} later.
 *
 * <p>Someone who polls ({@code watch portfwd status}, the dashboard's page every 3 s) asks with
 * {@code keepWarm}: after serving, the next read is made in the background half of {@code maxAge}
 * before the next request is due (as far apart as the last two were), so the poller finds a read
 * younger than {@code maxAge} instead of paying for one, and the kernel is read once per request,
 * not more. Requests that stop coming stop the reads after one more; requests further apart than
 * {@link #LONGEST_POLL} are not kept warm.
 */
public final class LiveStatusCache {

  /** A read of the live status and when it was taken. */
  public record Reading(LiveStatus status, Instant readAt) {}

  /** Reads the live status; {@link Engine#liveStatus} in the service. */
  @FunctionalInterface
  public interface Source {
    LiveStatus read() throws EngineException;
  }

  /** What the forwards' identity is checked against: moves when they may have changed. */
  @FunctionalInterface
  public interface ChangeMark {
    Object current() throws IOException;
  }

  /** Runs a task once {@code delay} has passed, on a thread of its own; may refuse. */
  @FunctionalInterface
  public interface Background {
    void after(Duration delay, Runnable task) throws RejectedExecutionException;
  }

  /** For a cache that never reads in the background (tests, one-shot commands). */
  public static final Background NO_BACKGROUND =
      (delay, task) -> {
        throw new RejectedExecutionException("no background reads here");
      };

  private final Source source;
  private final ChangeMark changeMark;
  private final Background background;
  private final Clock clock;

  /** Requests further apart than this are not polling: nothing is read ahead for them. */
  static final Duration LONGEST_POLL = Duration.ofMinutes(1);

  private Optional<Reading> last = Optional.empty();
  private Optional<Instant> lastWarmRequest = Optional.empty();
  private Object markOfLast;
  private boolean refreshQueued;

  /**
   * @param background runs the reads that keep a polled status warm
   */
  public LiveStatusCache(Source source, ChangeMark changeMark, Background background, Clock clock) {
    this.source = source;
    this.changeMark = changeMark;
    this.background = background;
    this.clock = clock;
  }

  /** The cache of the service's one {@code engine}, which keeps its state in {@code store}. */
  public static LiveStatusCache of(
      Engine engine, StateStore store, Background background, Clock clock) {
    return new LiveStatusCache(
        engine::liveStatus,
        () -> new Mark(engine.changeCount(), store.historyMark()),
        background,
        clock);
  }

  private record Mark(long engineChanges, Optional<FileTime> history) {}

  /**
   * The live status, read now unless a read younger than {@code maxAge} of the same forwards is at
   * hand. With {@code keepWarm}, also starts the next read in the background (see the class).
   */
  public Reading read(Duration maxAge, boolean keepWarm) throws EngineException {
    Reading reading;
    Instant now;
    Optional<Duration> sincePrevious = Optional.empty();
    synchronized (this) {
      Object mark = mark();
      now = clock.instant();
      if (last.isPresent()
          && Objects.equals(mark, markOfLast)
          && now.isBefore(last.get().readAt().plus(maxAge))) {
        reading = last.get();
      } else {
        reading = readNow(mark);
      }
      if (keepWarm) {
        Instant asked = now;
        sincePrevious = lastWarmRequest.map(previous -> Duration.between(previous, asked));
        lastWarmRequest = Optional.of(now);
      }
    }
    if (keepWarm) {
      Duration halfLife = maxAge.dividedBy(2);
      Duration period = sincePrevious.orElse(maxAge);
      if (period.compareTo(LONGEST_POLL) <= 0) {
        Duration ahead = period.minus(halfLife);
        warmUp(now.plus(ahead.compareTo(halfLife) > 0 ? ahead : halfLife));
      }
    }
    return reading;
  }

  /** Forgets the last read: the next {@link #read} reads the kernel. */
  public synchronized void invalidate() {
    last = Optional.empty();
  }

  private Reading readNow(Object mark) throws EngineException {
    Instant readAt = clock.instant();
    LiveStatus status = source.read();
    Reading reading = new Reading(status, readAt);
    last = Optional.of(reading);
    markOfLast = mark;
    return reading;
  }

  private Object mark() {
    try {
      return changeMark.current();
    } catch (IOException e) {
      // A state directory that cannot be read gives no mark to trust: never reuse a read then.
      return new Object();
    }
  }

  /** Queues one background read at {@code due}. */
  private void warmUp(Instant due) {
    synchronized (this) {
      if (refreshQueued) {
        return;
      }
      refreshQueued = true;
    }
    try {
      Duration delay = Duration.between(clock.instant(), due);
      background.after(
          delay.isNegative() ? Duration.ZERO : delay,
          () -> {
            try {
              synchronized (this) {
                readNow(mark());
              }
            } catch (EngineException | RuntimeException e) {
              // The next asker reads again and sees the problem itself.
              invalidate();
            } finally {
              synchronized (this) {
                refreshQueued = false;
              }
            }
          });
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        refreshQueued = false;
      }
    }
  }
}
