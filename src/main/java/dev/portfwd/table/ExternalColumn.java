package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.PortRange;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The EXT column of a line, the external ports with the address they are taken on when one is
 * named; owns how that column is read.
 */
record ExternalColumn(Optional<InetAddress> address, PortRange ports) {

  /**
   * Reads {@code 443}, {@code 8000-8009}, {@code 198.51.100.7:443} or {@code [2001:db8::1]:443};
   * empty, with every problem reported, when the column is not one of those.
   */
  static Optional<ExternalColumn> parse(Token token, LineDiagnostics report) {
    String text = token.text();
    int column = token.column();
    if (text.startsWith("[")) {
      return parseBracketed(text, column, report);
    }
    boolean manyColons = text.indexOf(':') != text.lastIndexOf(':');
    if (manyColons && text.indexOf('.') < 0) {
      report.ipv6WithoutBrackets(column, text);
      return Optional.empty();
    }
    if (text.indexOf('.') >= 0) {
      int colon = text.indexOf(':');
      String literal = colon >= 0 ? text.substring(0, colon) : text;
      Optional<InetAddress> address = Addresses.parse(literal);
      if (address.isEmpty()) {
        report.notExternal(column, text);
        return Optional.empty();
      }
      if (colon < 0) {
        report.missingPortAfterAddress(column + text.length(), literal);
        return Optional.empty();
      }
      return PortRangeText.parse(
              text.substring(colon + 1), column + colon + 1, "external port", report)
          .map(ports -> new ExternalColumn(address, ports));
    }
    return PortRangeText.parse(text, column, "external port", report)
        .map(ports -> new ExternalColumn(Optional.empty(), ports));
  }

  /** {@code [ADDRESS]:PORTS}; a bad address and bad ports are both reported. */
  private static Optional<ExternalColumn> parseBracketed(
      String text, int column, LineDiagnostics report) {
    int close = text.indexOf(']');
    if (close < 0) {
      report.unclosedBracket(column, text);
      return Optional.empty();
    }
    String literal = text.substring(1, close);
    Optional<InetAddress> address = Addresses.parse(literal);
    boolean isIpv6 = address.isPresent() && !(address.get() instanceof Inet4Address);
    if (!isIpv6) {
      report.notIpv6InBrackets(column + 1, literal);
    }
    if (close + 1 >= text.length() || text.charAt(close + 1) != ':') {
      report.missingPortAfterBrackets(column + close + 1, text.substring(0, close + 1));
      return Optional.empty();
    }
    Optional<PortRange> ports =
        PortRangeText.parse(text.substring(close + 2), column + close + 2, "external port", report);
    return isIpv6 ? ports.map(p -> new ExternalColumn(address, p)) : Optional.empty();
  }
}
