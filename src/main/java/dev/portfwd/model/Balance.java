package dev.portfwd.model;

import java.util.Locale;
import java.util.Optional;

/**
 * How a forward with several backends picks one for a new connection: {@code failover} the first
 * healthy one in the order written, {@code roundrobin} each in turn, {@code hash} by the client's
 * address, so one client always reaches the same backend while it stays healthy.
 */
public enum Balance {
  FAILOVER,
  ROUNDROBIN,
  HASH;

  /** The word the table uses. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The balance named by {@code text} (any case); empty when it names none. */
  public static Optional<Balance> of(String text) {
    for (Balance balance : values()) {
      if (balance.keyword().equalsIgnoreCase(text)) {
        return Optional.of(balance);
      }
    }
    return Optional.empty();
  }
}
