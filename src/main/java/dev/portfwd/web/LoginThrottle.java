package dev.portfwd.web;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing: after {@link #FREE_FAILURES} failed logins from one address, each
 * further attempt from it is refused until a wait has passed, 2 s after the fifth failure, doubling
 * with each failure up to {@link #MAX_WAIT}. A success forgets the address. Counted per client
 * address, so one guesser cannot lock out an administrator elsewhere; an IPv6 client by its /64,
 * since one host commonly holds a whole /64 and could otherwise take fresh tries from each of its
 * addresses. At most {@link #TRACKED} addresses are remembered (the oldest is forgotten first).
 */
public final class LoginThrottle {

  public static final int FREE_FAILURES = 4;
  public static final Duration FIRST_WAIT = Duration.ofSeconds(2);
  public static final Duration MAX_WAIT = Duration.ofMinutes(15);

  /** Failures are forgotten this long after the last one. */
  static final Duration MEMORY = Duration.ofHours(1);

  static final int TRACKED = 10_000;

  private record Failures(int count, Instant last) {}

  private final Clock clock;
  private final Map<String, Failures> byAddress = new LinkedHashMap<>();

  public LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** How long {@code address} must still wait before its next attempt; empty when it may try. */
  public synchronized Optional<Duration> waitFor(String address) {
    Failures failures = byAddress.get(client(address));
    Instant now = clock.instant();
    if (failures == null || failures.count() <= FREE_FAILURES) {
      return Optional.empty();
    }
    Instant allowed = failures.last().plus(wait(failures.count()));
    return now.isBefore(allowed) ? Optional.of(Duration.between(now, allowed)) : Optional.empty();
  }

  /** Records a failed login from {@code address}. */
  public synchronized void failed(String address) {
    String client = client(address);
    Instant now = clock.instant();
    byAddress.values().removeIf(f -> !now.isBefore(f.last().plus(MEMORY)));
    Failures before = byAddress.remove(client);
    int count = before == null ? 1 : before.count() + 1;
    byAddress.put(client, new Failures(count, now));
    if (byAddress.size() > TRACKED) {
      Iterator<String> oldest = byAddress.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** Forgets {@code address}'s failures after it logged in. */
  public synchronized void succeeded(String address) {
    byAddress.remove(client(address));
  }

  /** Who {@code address} (an IP literal) counts as: itself, or its /64 for IPv6. */
  static String client(String address) {
    if (address.indexOf(':') < 0) {
      return address;
    }
    try {
      // A literal: no name is looked up. IPv4-mapped addresses come back as IPv4.
      InetAddress parsed = InetAddress.getByName(address);
      if (parsed instanceof Inet6Address) {
        byte[] prefix = Arrays.copyOf(parsed.getAddress(), 8);
        return HexFormat.of().formatHex(prefix) + "::/64";
      }
      return parsed.getHostAddress();
    } catch (UnknownHostException e) {
      return address;
    }
  }

  private static Duration wait(int failures) {
    int doublings = Math.min(failures - FREE_FAILURES - 1, 20);
    Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
    return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
  }
}
