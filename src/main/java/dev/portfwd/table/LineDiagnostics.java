package dev.portfwd.table;

import dev.portfwd.model.Cidr;
import dev.portfwd.model.PortRange;
import java.util.List;
import java.util.Locale;

/**
 * The diagnostics of one table line: owns the wording of every problem the parsers can find and the
 * {@link LineCap} they are collected in, so the parsers only decide what is wrong and where.
 * Whatever a message quotes from the line is cut to {@value #QUOTED_CHARS} characters, so a message
 * stays short however long the column it quotes.
 */
final class LineDiagnostics {

  /** The most characters of a column that a message quotes. */
  static final int QUOTED_CHARS = 40;

  private final String source;
  private final int lineNumber;
  private final String line;
  private final LineCap found = new LineCap();

  LineDiagnostics(String source, int lineNumber, String line) {
    this.source = source;
    this.lineNumber = lineNumber;
    this.line = line;
  }

  /** The diagnostics of the line so far: the first by place, and a count of the rest. */
  LineCap found() {
    return found;
  }

  /** True once any error was found: such a line yields no forward. */
  boolean hasErrors() {
    return found.errors() > 0;
  }

  // The line as a whole.

  void notUtf8(int column) {
    error(column, "this line is not valid UTF-8; save the table as UTF-8");
  }

  void controlCharacter(int column, char c) {
    error(column, String.format("control character U+%04X is not allowed in a table", (int) c));
  }

  void missingBackend(int column, String external) {
    error(
        column,
        "expected the backend's IP address after '"
            + cut(external)
            + "', found the end of the line");
  }

  // EXT.

  void unclosedBracket(int column, String text) {
    error(
        column,
        "missing ']' after the IPv6 address in '" + cut(text) + "'; expected [ADDRESS]:PORT");
  }

  void notIpv6InBrackets(int column, String literal) {
    error(column, "expected an IPv6 address inside [ ], found '" + cut(literal) + "'");
  }

  void missingPortAfterBrackets(int column, String bracketed) {
    error(column, "expected ':PORT' after '" + cut(bracketed) + "'");
  }

  void ipv6WithoutBrackets(int column, String text) {
    error(
        column,
        "write an IPv6 external address in brackets, e.g. [2001:db8::1]:443; found '"
            + cut(text)
            + "'");
  }

  void notExternal(int column, String text) {
    error(column, "expected an external port or ADDRESS:PORT, found '" + cut(text) + "'");
  }

  void missingPortAfterAddress(int column, String literal) {
    error(
        column,
        "expected ':PORT' after the external address "
            + cut(literal)
            + " (e.g. "
            + cut(literal)
            + ":443)");
  }

  // Ports; what is "external port" or "backend port".

  void reversedRange(int column, String what, String text, int first, int last) {
    error(
        column,
        "reversed "
            + what
            + " range "
            + cut(text)
            + "; the first port must not be greater than the last"
            + " (did you mean "
            + last
            + "-"
            + first
            + "?)");
  }

  void notPort(int column, String what, String text) {
    String article = what.startsWith("e") ? "an " : "a ";
    error(
        column,
        "expected "
            + article
            + what
            + " (1-65535) or a range like 8000-8009, found "
            + (text.isEmpty() ? "nothing" : "'" + cut(text) + "'"));
  }

  void portOutOfRange(int column, String what, String text) {
    error(column, what + " " + cut(text) + " is outside 1-65535");
  }

  void rangeSizesDiffer(int column, PortRange backendPorts, PortRange externalPorts) {
    error(
        column,
        "backend ports "
            + backendPorts
            + " hold "
            + plural(backendPorts.size(), "port")
            + " but external ports "
            + externalPorts
            + " hold "
            + externalPorts.size()
            + "; give a range of the same length, or RANGE for the same ports");
  }

  // INT-IP.

  void unspecifiedBackend(int column, String text) {
    error(
        column,
        "backend " + cut(text) + " is the unspecified address; name the backend's own address");
  }

  void multicastBackend(int column, String text) {
    error(column, "backend " + cut(text) + " is a multicast or broadcast address; name one host");
  }

  void backendPortGlued(int column, String text, String address, String port) {
    error(
        column,
        "expected the backend address and port as separate columns ('"
            + cut(address)
            + " "
            + cut(port)
            + "'), found '"
            + cut(text)
            + "'");
  }

  void backendName(int column, String text) {
    error(
        column,
        "expected the backend's IP address or host name, found '"
            + cut(text)
            + "'; a name has letters, digits, hyphens and dots only");
  }

  void notBackend(int column, String text) {
    error(column, "expected the backend's IPv4 or IPv6 address, found '" + cut(text) + "'");
  }

  // INT-PORT, PROTO and options: their order.

  void backendPortOutOfPlace(int column, String text) {
    error(
        column,
        "unexpected '"
            + cut(text)
            + "'; the backend port comes right after the"
            + " backend address, before the protocol and options");
  }

  void protocolTwice(int column, int firstColumn) {
    error(column, "protocol given twice (first at column " + firstColumn + ")");
  }

  void protocolAfterOptions(int column, String text) {
    error(column, "unexpected '" + cut(text) + "'; the protocol comes before the options");
  }

  void unexpectedColumn(int column, String text) {
    error(
        column,
        "unexpected '"
            + cut(text)
            + "'; expected a backend port, RANGE, a protocol (tcp,"
            + " udp or tcp,udp) or an option key=value"
            + Suggestions.didYouMean(
                text.toLowerCase(Locale.ROOT), List.of("tcp", "udp", "tcp,udp", "range")));
  }

  // PROTO.

  void unknownProtocol(int column, String part) {
    error(
        column,
        "unknown protocol '"
            + cut(part)
            + "'; expected tcp, udp or tcp,udp"
            + Suggestions.didYouMean(part.toLowerCase(Locale.ROOT), List.of("tcp", "udp")));
  }

  void protocolListedTwice(int column, String part) {
    error(column, "protocol '" + cut(part) + "' listed twice");
  }

  // Options.

  void optionTwice(int column, String key, int firstColumn) {
    error(column, "option '" + cut(key) + "' given twice (first at column " + firstColumn + ")");
  }

  void unknownOption(int column, String key, List<String> keys) {
    error(
        column,
        "unknown option '"
            + cut(key)
            + "'; expected one of "
            + String.join(", ", keys)
            + Suggestions.didYouMean(key, keys));
  }

  void missingOptionValue(int column, String key) {
    error(column, "option '" + cut(key) + "' needs a value after '='");
  }

  void notSource(int column, String text) {
    error(
        column,
        "expected an address or CIDR like 203.0.113.0/24 in from=, found '"
            + (text.isEmpty() ? "nothing" : cut(text))
            + "'");
  }

  void badPrefixLength(int column, String prefix, int bits) {
    error(column, "prefix length '" + cut(prefix) + "' is not a number from 0 to " + bits);
  }

  void hostBitsSet(int column, String text, Cidr cidr) {
    warning(column, cut(text) + " has host bits set; it means " + cidr);
  }

  void notMasquerade(int column, String value) {
    error(column, "expected masquerade=yes or masquerade=no, found '" + cut(value) + "'");
  }

  void notProxyProtocol(int column, String value) {
    error(column, "expected proxy-protocol=v1, v2 or none, found '" + cut(value) + "'");
  }

  void notSnatAddress(int column, String value) {
    error(
        column,
        "expected an IP address like 192.0.2.254 in snat=, found '"
            + (value.isEmpty() ? "nothing" : cut(value))
            + "'");
  }

  void snatOfOtherFamily(int column, String value) {
    error(column, "snat=" + cut(value) + " is of another IP version than the backend");
  }

  void snatWithoutMasquerade(int column) {
    error(
        column,
        "snat= translates the source address, masquerade=no keeps it; expected one of the two");
  }

  // Likely mistakes in a line that parsed.

  void loopbackBackend(int column, String text) {
    warning(
        column,
        "backend "
            + cut(text)
            + " is a loopback address; the kernel does not forward to"
            + " loopback (only the relay can reach it)");
  }

  void mixedFamilies(int column) {
    warning(
        column,
        "external address and backend are of different IP versions; only 'portfwd relay' can"
            + " serve this line, kernel backends will refuse it");
  }

  void proxyV1OverUdp(int column) {
    warning(
        column,
        "PROXY protocol v1 is TCP-only; UDP datagrams of this forward get no header (use v2, or"
            + " limit the line to tcp)");
  }

  void sourceOfOtherFamily(int column, Cidr cidr) {
    warning(
        column,
        "from=" + cidr + " can never match: the external address is of the other IP version");
  }

  void sshPortOnEveryAddress(int column) {
    warning(
        column,
        "this forward takes port 22 on every address of the gateway; if you reach the gateway"
            + " by SSH on port 22, you lock yourself out (name an external address, or move SSH)");
  }

  // Several backends, names, balance= and check=.

  void tooManyBackends(int column, int max) {
    error(column, "more than " + max + " backends on one line; expected at most " + max);
  }

  void backendListedTwice(int column, String text) {
    error(column, "backend '" + cut(text) + "' is listed twice on this line");
  }

  void notBalance(int column, String value) {
    error(column, "unknown balance '" + cut(value) + "'; expected failover, roundrobin or hash");
  }

  void notCheck(int column, String value) {
    error(column, "unknown check '" + cut(value) + "'; expected tcp, tcp:PORT or none");
  }

  void balanceOfOneBackend(int column) {
    warning(
        column,
        "balance= has no effect: the line has one backend written as an address (list several,"
            + " or give a name with several addresses)");
  }

  private static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  // Columns are 1-based; a smaller one (a place before the line's start) is clamped to 1.

  /** {@code text}, cut to its first {@value #QUOTED_CHARS} characters and {@code …}. */
  static String cut(String text) {
    return TerminalText.cut(text, QUOTED_CHARS);
  }

  private void error(int column, String message) {
    found.add(
        new Diagnostic(source, lineNumber, Math.max(1, column), Severity.ERROR, message, line));
  }

  private void warning(int column, String message) {
    found.add(
        new Diagnostic(source, lineNumber, Math.max(1, column), Severity.WARNING, message, line));
  }
}
