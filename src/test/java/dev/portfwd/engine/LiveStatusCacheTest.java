package dev.portfwd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LiveStatusCacheTest {

  static final Duration MAX_AGE = Duration.ofSeconds(2);

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-11-30T02:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TestClock clock = new TestClock();
  final AtomicInteger reads = new AtomicInteger();
  final AtomicInteger mark = new AtomicInteger();
  final List<Runnable> queued = new ArrayList<>();
  final List<Duration> delays = new ArrayList<>();
  final LiveStatusCache.Background background =
      (delay, task) -> {
        delays.add(delay);
        queued.add(task);
      };
  boolean failing;

  LiveStatusCache cache() {
    return new LiveStatusCache(
        () -> {
          reads.incrementAndGet();
          if (failing) {
            throw new EngineException("nft failed", null);
          }
          return new LiveStatus(List.of(), Optional.empty());
        },
        mark::get,
        background,
        clock);
  }

  @Test
  void servesAReadYoungerThanTheMaxAgeWithItsTime() throws Exception {
    LiveStatusCache cache = cache();
    Instant first = cache.read(MAX_AGE, false).readAt();
    clock.advance(Duration.ofMillis(1_500));
    LiveStatusCache.Reading again = cache.read(MAX_AGE, false);
    assertThat(reads).hasValue(1);
    assertThat(again.readAt()).isEqualTo(first);
    clock.advance(Duration.ofMillis(500));
    assertThat(cache.read(MAX_AGE, false).readAt()).isEqualTo(clock.now);
    assertThat(reads).hasValue(2);
  }

  @Test
  void aZeroMaxAgeAlwaysReads() throws Exception {
    LiveStatusCache cache = cache();
    cache.read(MAX_AGE, false);
    cache.read(Duration.ZERO, false);
    assertThat(reads).hasValue(2);
  }

  @Test
  void readsAgainOnceTheForwardsMayHaveChanged() throws Exception {
    LiveStatusCache cache = cache();
    cache.read(MAX_AGE, false);
    mark.incrementAndGet(); // the engine applied, or another process recorded a state
    cache.read(MAX_AGE, false);
    assertThat(reads).hasValue(2);
  }

  @Test
  void aPollerFindsTheNextReadDoneInTheBackground() throws Exception {
    LiveStatusCache cache = cache();
    cache.read(MAX_AGE, true);
    cache.read(MAX_AGE, true);
    assertThat(queued).as("one background read at a time").hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    queued.remove(0).run();
    assertThat(reads).hasValue(2);
    clock.advance(Duration.ofMillis(1_500));
    LiveStatusCache.Reading polled = cache.read(MAX_AGE, true);
    assertThat(reads)
        .as("the poll 2.5 s after the first read found the background one")
        .hasValue(2);
    assertThat(polled.readAt()).isEqualTo(clock.now.minus(Duration.ofMillis(1_500)));
    assertThat(queued).as("and queued the next").hasSize(1);
  }

  @Test
  void withoutPollsNothingIsReadInTheBackground() throws Exception {
    cache().read(MAX_AGE, false);
    assertThat(queued).isEmpty();
  }

  @Test
  void aFailedBackgroundReadLeavesTheNextAskerToReadAndSeeTheFailure() throws Exception {
    LiveStatusCache cache = cache();
    cache.read(MAX_AGE, true);
    failing = true;
    clock.advance(Duration.ofSeconds(1));
    queued.remove(0).run();
    assertThatThrownBy(() -> cache.read(MAX_AGE, true))
        .isInstanceOf(EngineException.class)
        .hasMessage("nft failed");
  }

  @Test
  void aRefusedBackgroundReadIsTriedAgainByTheNextPoll() throws Exception {
    LiveStatusCache cache =
        new LiveStatusCache(
            () -> {
              reads.incrementAndGet();
              return new LiveStatus(List.of(), Optional.empty());
            },
            mark::get,
            LiveStatusCache.NO_BACKGROUND,
            clock);
    cache.read(MAX_AGE, true);
    clock.advance(MAX_AGE);
    cache.read(MAX_AGE, true);
    assertThat(reads).hasValue(2);
  }

  @Test
  void aPagePollingEveryThreeSecondsCostsOneKernelReadPerPollAndFindsEachReady() throws Exception {
    LiveStatusCache cache = cache();
    for (int poll = 0; poll < 8; poll++) {
      if (poll > 0) {
        clock.advance(Duration.ofSeconds(3));
      }
      Instant asked = clock.now;
      LiveStatusCache.Reading reading = cache.read(MAX_AGE, true);
      if (poll >= 2) {
        assertThat(reading.readAt()).as("poll %d found a read made ahead", poll).isBefore(asked);
        assertThat(reads).as("one read per poll").hasValue(poll + 2);
      }
      // The background read runs when it is due, which is before the next poll.
      assertThat(queued).hasSize(1);
      Duration delay = delays.remove(0);
      assertThat(delay).isLessThan(Duration.ofSeconds(3));
      clock.advance(delay);
      queued.remove(0).run();
      clock.advance(delay.negated());
    }
  }

  @Test
  void requestsMinutesApartAreNotKeptWarm() throws Exception {
    LiveStatusCache cache = cache();
    cache.read(MAX_AGE, true);
    queued.clear();
    clock.advance(Duration.ofMinutes(5));
    cache.read(MAX_AGE, true);
    assertThat(queued).isEmpty();
  }
}
