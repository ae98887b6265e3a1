package dev.portfwd.engine;

import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One read of the kernel's counters shared by everyone in the service who asks within a short
 * while: {@code status} for clients, the dashboard's polls and {@code /metrics}. Listing 10,000
 * forwards with their counters costs {@code nft} about half a second of CPU, more than a client
 * wants to wait for; a read younger than the asker's {@code maxAge} is served as it is, with its
 * time, so the asker can say how old it is.
 *
 * <p>A read is dropped as soon as the forwards may have changed: when the engine made a change, or
 * when any process recorded one in the state directory (a {@code --direct} apply). Changes made
 * outside portfwd are seen at the next read, at most {@code maxAge} later.
 *
 * <p>Someone who polls ({@code watch portfwd status}, the dashboard) asks with {@code keepWarm}:
 * after serving, the next read is started in the background once half of {@code maxAge} has passed,
 * so the poller's next request finds a read younger than {@code maxAge} instead of paying for one.
 * Requests that stop coming stop the reads after one more.
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

  /** For a cache that never reads in the background (tests, one-shot commands). */
  public static final Executor NO_BACKGROUND =
      task -> {
        throw new RejectedExecutionException("no background reads here");
      };

  private final Source source;
  private final ChangeMark changeMark;
  private final Executor background;
  private final Clock clock;

  private Optional<Reading> last = Optional.empty();
  private Object markOfLast;
  private boolean refreshQueued;

  /**
   * @param background runs the reads that keep a polled status warm
   */
  public LiveStatusCache(Source source, ChangeMark changeMark, Executor background, Clock clock) {
    this.source = source;
    this.changeMark = changeMark;
    this.background = background;
    this.clock = clock;
  }

  /** The cache of the service's one {@code engine}, which keeps its state in {@code store}. */
  public static LiveStatusCache of(
      Engine engine, StateStore store, Executor background, Clock clock) {
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
    synchronized (this) {
      Object mark = mark();
      Instant now = clock.instant();
      if (last.isPresent()
          && Objects.equals(mark, markOfLast)
          && now.isBefore(last.get().readAt().plus(maxAge))) {
        reading = last.get();
      } else {
        reading = readNow(mark);
      }
    }
    if (keepWarm) {
      warmUp(reading, maxAge.dividedBy(2));
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

  /** Queues one background read for when {@code reading} is {@code halfLife} old. */
  private void warmUp(Reading reading, Duration halfLife) {
    synchronized (this) {
      if (refreshQueued) {
        return;
      }
      refreshQueued = true;
    }
    try {
      background.execute(
          () -> {
            try {
              Duration wait = Duration.between(clock.instant(), reading.readAt().plus(halfLife));
              if (!wait.isNegative()) {
                Thread.sleep(wait.toMillis());
              }
              synchronized (this) {
                readNow(mark());
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
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
