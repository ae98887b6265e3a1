package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.ProxyProtocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the {@code key=value} columns of a line say, defaults for keys not given; owns reading their
 * values: {@code from=} addresses and blocks, {@code masquerade=} yes or no, {@code
 * proxy-protocol=} v1, v2 or none.
 */
record OptionColumns(List<Cidr> allowedSources, boolean masquerade, ProxyProtocol proxyProtocol) {

  /** The option keys a line may carry; unknown keys are errors so typos never pass silently. */
  static final List<String> KEYS =
      Stream.concat(
              Stream.of("from", "masquerade", "proxy-protocol", SnatOption.KEY),
              PoolOptions.KEYS.stream())
          .toList();

  /**
   * Reads the value of each option in {@code byKey} (lower-case key to its column), reporting every
   * bad value; a bad or empty value leaves that option at its default.
   */
  static OptionColumns read(Map<String, Token> byKey, LineDiagnostics report) {
    List<Cidr> allowedSources = List.of();
    boolean masquerade = true;
    ProxyProtocol proxyProtocol = ProxyProtocol.NONE;
    Token from = byKey.get("from");
    if (from != null) {
      allowedSources = parseSources(from, report);
    }
    Token masq = byKey.get("masquerade");
    if (masq != null) {
      masquerade = parseYesNo(masq, report);
    }
    Token proxy = byKey.get("proxy-protocol");
    if (proxy != null) {
      proxyProtocol = parseProxyProtocol(proxy, report);
    }
    return new OptionColumns(allowedSources, masquerade, proxyProtocol);
  }

  private static List<Cidr> parseSources(Token token, LineDiagnostics report) {
    Optional<String> value = value(token, report);
    if (value.isEmpty()) {
      return List.of();
    }
    List<Cidr> sources = new ArrayList<>();
    String text = value.get();
    // Part by part, not split(): a value of millions of parts is never held as an array.
    for (int offset = 0; offset <= text.length(); ) {
      int comma = text.indexOf(',', offset);
      String part = text.substring(offset, comma < 0 ? text.length() : comma);
      parseCidr(part, valueColumn(token) + offset, report).ifPresent(sources::add);
      offset += part.length() + 1;
    }
    return sources;
  }

  /** {@code 203.0.113.0/24}, or a bare address for one host; host bits set are only a warning. */
  private static Optional<Cidr> parseCidr(String text, int column, LineDiagnostics report) {
    int slash = text.indexOf('/');
    String literal = slash >= 0 ? text.substring(0, slash) : text;
    Optional<InetAddress> address = Addresses.parse(literal);
    if (address.isEmpty()) {
      report.notSource(column, text);
      return Optional.empty();
    }
    int bits = address.get().getAddress().length * 8;
    if (slash < 0) {
      return Optional.of(Cidr.host(address.get()));
    }
    String prefix = text.substring(slash + 1);
    if (!PortRangeText.isDigits(prefix) || prefix.length() > 3 || Integer.parseInt(prefix) > bits) {
      report.badPrefixLength(column + slash + 1, prefix, bits);
      return Optional.empty();
    }
    int length = Integer.parseInt(prefix);
    Cidr cidr = new Cidr(address.get(), length);
    if (Cidr.hasHostBits(address.get(), length)) {
      report.hostBitsSet(column, text, cidr);
    }
    return Optional.of(cidr);
  }

  private static boolean parseYesNo(Token token, LineDiagnostics report) {
    Optional<String> value = value(token, report);
    if (value.isEmpty()) {
      return true;
    }
    switch (value.get().toLowerCase(Locale.ROOT)) {
      case "yes", "true", "on" -> {
        return true;
      }
      case "no", "false", "off" -> {
        return false;
      }
      default -> {
        report.notMasquerade(valueColumn(token), value.get());
        return true;
      }
    }
  }

  private static ProxyProtocol parseProxyProtocol(Token token, LineDiagnostics report) {
    Optional<String> value = value(token, report);
    if (value.isEmpty()) {
      return ProxyProtocol.NONE;
    }
    switch (value.get().toLowerCase(Locale.ROOT)) {
      case "v1" -> {
        return ProxyProtocol.V1;
      }
      case "v2" -> {
        return ProxyProtocol.V2;
      }
      case "none", "no" -> {
        return ProxyProtocol.NONE;
      }
      default -> {
        report.notProxyProtocol(valueColumn(token), value.get());
        return ProxyProtocol.NONE;
      }
    }
  }

  /** The text after {@code =}; empty, reported, when nothing follows it. */
  private static Optional<String> value(Token token, LineDiagnostics report) {
    String value = token.text().substring(token.text().indexOf('=') + 1);
    if (value.isEmpty()) {
      report.missingOptionValue(
          valueColumn(token), token.text().substring(0, token.text().indexOf('=')));
      return Optional.empty();
    }
    return Optional.of(value);
  }

  private static int valueColumn(Token token) {
    return token.column() + token.text().indexOf('=') + 1;
  }
}
