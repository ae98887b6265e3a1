package dev.portfwd.pool;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one look-up of a host name gave: its addresses and how long they may be trusted, or why it
 * failed.
 *
 * @param ttl the record's time to live (the smallest of its records'), before any bounds
 * @param error present when the look-up failed; then {@code addresses} is empty
 */
public record Resolution(List<InetAddress> addresses, Duration ttl, Optional<String> error) {

  public Resolution {
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(error, "error");
    if (error.isEmpty() && addresses.isEmpty()) {
      throw new IllegalArgumentException("a successful resolution has addresses");
    }
  }

  public static Resolution of(List<InetAddress> addresses, Duration ttl) {
    return new Resolution(addresses, ttl, Optional.empty());
  }

  public static Resolution failed(String why) {
    return new Resolution(List.of(), Duration.ZERO, Optional.of(why));
  }

  public boolean ok() {
    return error.isEmpty();
  }
}
