package dev.portfwd.web;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's login sessions, in memory only (a restart of the service logs everyone out). A
 * session ends after {@link #IDLE} without a request, {@link #LIFETIME} after login, at logout, and
 * when the password changes (each session remembers the hash it was opened under). Each carries its
 * own CSRF token, which every state-changing request must echo in a header.
 */
public final class Sessions {

  /** A session unused this long ends. */
  public static final Duration IDLE = Duration.ofMinutes(30);

  /** No session lives longer than this, used or not. */
  public static final Duration LIFETIME = Duration.ofHours(12);

  /** More sessions than this: the oldest ends (a gateway has few administrators). */
  static final int MAX = 64;

  /**
   * One login.
   *
   * @param passwordHash the hash in force at login; another one ends the session
   */
  public record Session(
      String id, String csrf, Instant created, Instant lastUsed, String passwordHash) {}

  private final Clock clock;
  private final SecureRandom random;
  private final Map<String, Session> byId = new LinkedHashMap<>();

  public Sessions(Clock clock, SecureRandom random) {
    this.clock = clock;
    this.random = random;
  }

  /** Opens a session for a user who just logged in under {@code passwordHash}. */
  public synchronized Session open(String passwordHash) {
    expire();
    while (byId.size() >= MAX) {
      Iterator<String> oldest = byId.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    Instant now = clock.instant();
    Session session = new Session(randomToken(), randomToken(), now, now, passwordHash);
    byId.put(session.id(), session);
    return session;
  }

  /**
   * The live session {@code id} names, touched (its idle time starts again); empty when there is
   * none, it expired, or the password is no longer {@code currentHash}.
   */
  public synchronized Optional<Session> find(String id, String currentHash) {
    expire();
    Session session = byId.get(id);
    if (session == null) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(bytes(session.passwordHash()), bytes(currentHash))) {
      byId.remove(id);
      return Optional.empty();
    }
    Session touched =
        new Session(
            session.id(),
            session.csrf(),
            session.created(),
            clock.instant(),
            session.passwordHash());
    byId.put(id, touched);
    return Optional.of(touched);
  }

  /** Ends session {@code id}; nothing when there is none. */
  public synchronized void close(String id) {
    byId.remove(id);
  }

  /** True when {@code presented} is {@code session}'s CSRF token (constant-time comparison). */
  public static boolean csrfMatches(Session session, String presented) {
    return presented != null && MessageDigest.isEqual(bytes(session.csrf()), bytes(presented));
  }

  synchronized int size() {
    expire();
    return byId.size();
  }

  private void expire() {
    Instant now = clock.instant();
    byId.values()
        .removeIf(
            s ->
                !now.isBefore(s.lastUsed().plus(IDLE))
                    || !now.isBefore(s.created().plus(LIFETIME)));
  }

  private String randomToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
