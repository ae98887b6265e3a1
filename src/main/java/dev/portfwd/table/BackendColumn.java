package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.BackendSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Owns reading the INT-IP column: one backend or a comma-separated list of them, each an IPv4 or
 * IPv6 literal (brackets allowed; never an address no single host can have) or a host name.
 */
final class BackendColumn {

  /** How many backends {@link Known} remembers; tables name few, so the first are enough. */
  static final int KNOWN_BACKENDS = 1024;

  /** The most backends one line may list; more is surely a mistake, and each costs checks. */
  static final int MAX_BACKENDS = 64;

  /** A DNS host name: labels of letters, digits and inner hyphens, 253 characters at most. */
  private static final Pattern HOST_NAME =
      Pattern.compile(
          "(?=.{1,253}\\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

  private BackendColumn() {}

  /**
   * The backends read so far in one table, by their text: every forward to the same backend shares
   * one address object, some 56 bytes less per forward of a big table.
   */
  static final class Known {
    private final Map<String, InetAddress> byText = new HashMap<>();
  }

  /**
   * The backends written in {@code token}, in order; empty, with every problem reported, when one
   * of them is neither an address of one host nor a host name.
   */
  static Optional<List<BackendSpec>> parseList(Token token, Known known, LineDiagnostics report) {
    String text = token.text();
    List<BackendSpec> specs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean bad = false;
    int parts = 0;
    // Part by part, not split(): a value of millions of parts is never held as an array.
    for (int offset = 0; offset <= text.length(); ) {
      int comma = text.indexOf(',', offset);
      String part = text.substring(offset, comma < 0 ? text.length() : comma);
      int column = token.column() + offset;
      offset += part.length() + 1;
      if (++parts > MAX_BACKENDS) {
        report.tooManyBackends(column, MAX_BACKENDS);
        return Optional.empty();
      }
      Optional<BackendSpec> spec = parsePart(new Token(part, column), known, report);
      if (spec.isEmpty()) {
        bad = true;
      } else if (!seen.add(spec.get().text().toLowerCase(java.util.Locale.ROOT))) {
        report.backendListedTwice(column, part);
        bad = true;
      } else {
        specs.add(spec.get());
      }
    }
    return bad ? Optional.empty() : Optional.of(specs);
  }

  private static Optional<BackendSpec> parsePart(Token token, Known known, LineDiagnostics report) {
    String text = token.text();
    if (!text.isEmpty()
        && text.chars().anyMatch(Character::isLetter)
        && text.indexOf(':') < 0
        && HOST_NAME.matcher(text).matches()) {
      return Optional.of(BackendSpec.name(text));
    }
    return parse(token, known, report).map(BackendSpec::of);
  }

  /**
   * The backend address written in {@code token}; empty, with the problem reported, when it is not
   * an address of one host. The message guesses what was meant: a glued port, a host name.
   */
  static Optional<InetAddress> parse(Token token, Known known, LineDiagnostics report) {
    String text = token.text();
    if (text.isEmpty()) {
      report.notBackend(token.column(), text);
      return Optional.empty();
    }
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
