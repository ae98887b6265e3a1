package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Owns reading the INT-IP column, the backend's address: an IPv4 or IPv6 literal (brackets
 * allowed), never a name, and never an address no single host can have.
 */
final class BackendColumn {

  /** How many backends {@link Known} remembers; tables name few, so the first are enough. */
  static final int KNOWN_BACKENDS = 1024;

  private BackendColumn() {}

  /**
   * The backends read so far in one table, by their text: every forward to the same backend shares
   * one address object, some 56 bytes less per forward of a big table.
   */
  static final class Known {
    private final Map<String, InetAddress> byText = new HashMap<>();
  }

  /**
   * The backend written in {@code token}; empty, with the problem reported, when it is not an
   * address of one host. The message guesses what was meant: a glued port, a host name.
   */
  static Optional<InetAddress> parse(Token token, Known known, LineDiagnostics report) {
    String text = token.text();
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    InetAddress seen = known.byText.get(text);
    if (seen != null) {
      return Optional.of(seen);
    }
    Optional<InetAddress> address = Addresses.parse(text);
    if (address.isPresent()) {
      InetAddress backend = address.get();
      if (backend.isAnyLocalAddress()) {
        report.unspecifiedBackend(token.column(), text);
        return Optional.empty();
      }
      // InetAddress has no notion of broadcast; the limited broadcast address is the one that is
      // a broadcast address on every network.
      if (backend.isMulticastAddress() || "255.255.255.255".equals(text)) {
        report.multicastBackend(token.column(), text);
        return Optional.empty();
      }
      if (known.byText.size() < KNOWN_BACKENDS) {
        known.byText.put(text, backend);
      }
      return address;
    }
    // Not an address: guess what was meant, so the message can say how to write it.
    int colon = text.lastIndexOf(':');
    if (colon > 0
        && text.indexOf('.') >= 0
        && Addresses.parse(text.substring(0, colon)).isPresent()) {
      report.backendPortGlued(
          token.column(), text, text.substring(0, colon), text.substring(colon + 1));
    } else if (text.chars().anyMatch(Character::isLetter) && text.indexOf(':') < 0) {
      report.backendName(token.column(), text);
    } else {
      report.notBackend(token.column(), text);
    }
    return Optional.empty();
  }
}
