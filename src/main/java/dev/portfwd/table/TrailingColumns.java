package dev.portfwd.table;

import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The columns after the backend address, {@code [INT-PORT] [PROTO] [key=value ...]}; owns telling
 * them apart by shape, their order (each at most once), and reading INT-PORT and PROTO, leaving
 * option values to {@link OptionColumns}.
 *
 * @param backendPorts the backend ports when a valid range was written; empty when none was, for
 *     {@code RANGE} and for a bad one (reported): the backend then gets the external ports
 * @param protocols the protocols written; both when the column is missing or bad (reported)
 * @param options the option columns by lower-case key, each key known and given once
 */
record TrailingColumns(
    Optional<TrailingColumns.GivenPorts> backendPorts,
    Set<Protocol> protocols,
    Map<String, Token> options) {

  private static final Set<Protocol> BOTH = Set.of(Protocol.TCP, Protocol.UDP);
  private static final Set<Protocol> TCP = Set.of(Protocol.TCP);
  private static final Set<Protocol> UDP = Set.of(Protocol.UDP);

  /** A backend port range as written, with its column for the range-size check. */
  record GivenPorts(PortRange ports, int column) {}

  /** Reads {@code tokens}, the columns after INT-IP, reporting every problem of each. */
  static TrailingColumns parse(Iterator<Token> tokens, LineDiagnostics report) {
    boolean portWritten = false;
    Optional<GivenPorts> backendPorts = Optional.empty();
    Optional<Token> protocolToken = Optional.empty();
    Set<Protocol> protocols = BOTH;
    Map<String, Token> options = new LinkedHashMap<>();
    while (tokens.hasNext()) {
      Token token = tokens.next();
      switch (token.shape()) {
        case PORT -> {
          if (portWritten || protocolToken.isPresent() || !options.isEmpty()) {
            report.backendPortOutOfPlace(token.column(), token.text());
          } else {
            portWritten = true;
            if (!token.isSamePortsWord()) {
              backendPorts =
                  PortRangeText.parse(token.text(), token.column(), "backend port", report)
                      .map(ports -> new GivenPorts(ports, token.column()));
            }
          }
        }
        case PROTOCOL -> {
          if (protocolToken.isPresent()) {
            report.protocolTwice(token.column(), protocolToken.get().column());
          } else if (!options.isEmpty()) {
            report.protocolAfterOptions(token.column(), token.text());
          } else {
            protocolToken = Optional.of(token);
            protocols = parseProtocols(token, report).orElse(protocols);
          }
        }
        case OPTION -> {
          String key =
              token.text().substring(0, token.text().indexOf('=')).toLowerCase(Locale.ROOT);
          Token previous = options.get(key);
          if (previous != null) {
            report.optionTwice(token.column(), key, previous.column());
          } else if (!OptionColumns.KEYS.contains(key)) {
            report.unknownOption(token.column(), key, OptionColumns.KEYS);
          } else {
            // The key's one shared copy: forwards keep it in their columns (ForwardColumns).
            options.put(OptionColumns.KEYS.get(OptionColumns.KEYS.indexOf(key)), token);
          }
        }
        case UNKNOWN -> report.unexpectedColumn(token.column(), token.text());
      }
    }
    return new TrailingColumns(backendPorts, shared(protocols), options);
  }

  /**
   * The shared unmodifiable set equal to {@code protocols}, never empty: a forward keeps such a set
   * as it is instead of copying it, one set less per forward of a big table.
   */
  private static Set<Protocol> shared(Set<Protocol> protocols) {
    if (protocols.size() == 2) {
      return BOTH;
    }
    return protocols.contains(Protocol.TCP) ? TCP : UDP;
  }

  /**
   * {@code tcp}, {@code udp} or both, comma-separated, in any case; empty, with the first problem
   * reported at its part, when a part names no protocol or one named before.
   */
  private static Optional<Set<Protocol>> parseProtocols(Token token, LineDiagnostics report) {
    Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
    String text = token.text();
    // Part by part, not split(): this stops at the first bad part of a column however long.
    for (int offset = 0; offset <= text.length(); ) {
      int comma = text.indexOf(',', offset);
      String part = text.substring(offset, comma < 0 ? text.length() : comma);
      Optional<Protocol> protocol = Protocol.fromKeyword(part);
      if (protocol.isEmpty()) {
        report.unknownProtocol(token.column() + offset, part);
        return Optional.empty();
      }
      if (!protocols.add(protocol.get())) {
        report.protocolListedTwice(token.column() + offset, part);
        return Optional.empty();
      }
      offset += part.length() + 1;
    }
    return Optional.of(protocols);
  }
}
