package dev.portfwd.model;

import java.util.Locale;
import java.util.Optional;

/** A transport protocol a forward carries. */
public enum Protocol {
  TCP,
  UDP;

  /** The lower-case name used in tables, nft and iptables ({@code tcp}, {@code udp}). */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The protocol named by {@code word} (case-insensitive), or empty when it names none. */
  public static Optional<Protocol> fromKeyword(String word) {
    for (Protocol protocol : values()) {
      if (protocol.keyword().equalsIgnoreCase(word)) {
        return Optional.of(protocol);
      }
    }
    return Optional.empty();
  }
}
