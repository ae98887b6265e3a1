package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SessionsTest {

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final MovableClock clock = new MovableClock();
  private final Sessions sessions = new Sessions(clock, new SecureRandom());

  @Test
  void findsAnOpenSessionUnderTheSamePassword() {
    Sessions.Session session = sessions.open("hash");
    assertThat(sessions.find(session.id(), "hash")).isPresent();
    assertThat(sessions.find("other", "hash")).isEmpty();
    assertThat(session.id()).isNotEqualTo(session.csrf()).hasSizeGreaterThanOrEqualTo(43);
  }

  @Test
  void endsAfterIdleTimeButNotWhileUsed() {
    Sessions.Session session = sessions.open("hash");
    for (int i = 0; i < 5; i++) {
      clock.advance(Sessions.IDLE.minusMinutes(1));
      assertThat(sessions.find(session.id(), "hash")).as("used within the idle time").isPresent();
    }
    clock.advance(Sessions.IDLE);
    assertThat(sessions.find(session.id(), "hash")).isEmpty();
  }

  @Test
  void endsAtItsLifetimeEvenWhenUsed() {
    Sessions.Session session = sessions.open("hash");
    Duration step = Sessions.IDLE.minusMinutes(1);
    long steps = Sessions.LIFETIME.dividedBy(step) + 1;
    boolean ended = false;
    for (long i = 0; i < steps && !ended; i++) {
      clock.advance(step);
      ended = sessions.find(session.id(), "hash").isEmpty();
    }
    assertThat(ended).isTrue();
    assertThat(clock.now).isAfterOrEqualTo(session.created().plus(Sessions.LIFETIME));
  }

  @Test
  void endsWhenThePasswordChanges() {
    Sessions.Session session = sessions.open("old hash");
    assertThat(sessions.find(session.id(), "new hash")).isEmpty();
    assertThat(sessions.find(session.id(), "old hash")).as("gone for good").isEmpty();
  }

  @Test
  void endsAtLogout() {
    Sessions.Session session = sessions.open("hash");
    sessions.close(session.id());
    assertThat(sessions.find(session.id(), "hash")).isEmpty();
  }

  @Test
  void keepsAtMostMaxSessionsDroppingTheOldest() {
    Sessions.Session first = sessions.open("hash");
    for (int i = 0; i < Sessions.MAX; i++) {
      sessions.open("hash");
    }
    assertThat(sessions.size()).isEqualTo(Sessions.MAX);
    assertThat(sessions.find(first.id(), "hash")).isEmpty();
  }

  @Test
  void csrfTokenMustMatchExactly() {
    Sessions.Session session = sessions.open("hash");
    assertThat(Sessions.csrfMatches(session, session.csrf())).isTrue();
    assertThat(Sessions.csrfMatches(session, null)).isFalse();
    assertThat(Sessions.csrfMatches(session, "")).isFalse();
    assertThat(Sessions.csrfMatches(session, session.id())).isFalse();
    assertThat(Sessions.csrfMatches(sessions.open("hash"), session.csrf())).isFalse();
  }
}
