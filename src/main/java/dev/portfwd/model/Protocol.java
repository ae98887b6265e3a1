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

  /**
   * The protocol named by {@code word} as a kernel tool prints it: its keyword, or its IANA number
   * ({@code 6}, {@code 17}), which {@code nft} prints instead on a host without {@code
   * /etc/protocols} (Debian's netbase, absent from minimal systems).
   */
  public static Optional<Protocol> fromKernel(String word) {
    return switch (word) {
      case "6" -> Optional.of(TCP);
      case "17" -> Optional.of(UDP);
      default -> fromKeyword(word);
    };
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
