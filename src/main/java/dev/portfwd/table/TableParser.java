package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import dev.portfwd.model.ProxyProtocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Turns the text of a forwarding table into forwards and diagnostics.
 *
 * <p>The stage works line by line: a line is cut at its first {@code #} (the rest is the
 * forward's description), split on blanks and tabs into columns {@code EXT INT-IP [INT-PORT]
 * [PROTO] [key=value ...]}, and each column is checked where it stands, so one bad line yields
 * every problem it has and never stops the lines after it. A line with any error yields no
 * forward. Checks that need more than one line (two forwards claiming the same port) live in
 * {@link TableValidator}, which {@link #parse} runs last.
 *
 * <p>Never throws for any input: every problem becomes a {@link Diagnostic}.
 */
public final class TableParser {

  /** The option keys a line may carry; unknown keys are errors so typos never pass silently. */
  static final List<String> OPTION_KEYS = List.of("from", "masquerade", "proxy-protocol");

  private static final String SAME_PORTS_WORD = "RANGE";

  /** Below this many lines, starting threads costs more than it saves. */
  private static final int PARALLEL_THRESHOLD = 5_000;

  private TableParser() {}

  /**
   * Parses and validates {@code text}, read from {@code source} (a path or {@code <stdin>}, used
   * in messages).
   */
  public static ParseResult parse(String source, String text) {
    List<String> lines = splitLines(text);
    if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
      lines.set(0, lines.get(0).substring(1));
    }
    // Lines are independent until validation, so large tables are parsed on every core; results
    // land in per-line slots, which keeps the file order whatever order the threads finish in.
    LineParser[] parsers = new LineParser[lines.size()];
    @SuppressWarnings("unchecked")
    Optional<LocatedForward>[] parsed = new Optional[lines.size()];
    IntStream indexes = IntStream.range(0, lines.size());
    (lines.size() >= PARALLEL_THRESHOLD ? indexes.parallel() : indexes)
        .forEach(i -> {
          parsers[i] = new LineParser(source, i + 1, lines.get(i));
          parsed[i] = parsers[i].parse();
        });
    List<Diagnostic> diagnostics = new ArrayList<>();
    List<LocatedForward> located = new ArrayList<>(lines.size());
    for (int i = 0; i < parsers.length; i++) {
      parsed[i].ifPresent(located::add);
      diagnostics.addAll(parsers[i].diagnostics);
    }
    diagnostics.addAll(TableValidator.validate(source, located));
    List<Forward> forwards = located.stream().map(LocatedForward::forward).toList();
    return new ParseResult(new ForwardTable(source, forwards), diagnostics);
  }

  /** Lines ended by LF, CRLF or a lone CR (old Mac editors); a final empty line is dropped. */
  private static List<String> splitLines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        lines.add(text.substring(start, i));
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }

  private static boolean isDigits(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** One whitespace-separated column of a line, with its 1-based column. */
  private record Token(String text, int column) {}

  /** Parses one line; collects its diagnostics instead of stopping at the first. */
  private static final class LineParser {
    private final String source;
    private final int lineNumber;
    private final String line;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private int errors;

    LineParser(String source, int lineNumber, String line) {
      this.source = source;
      this.lineNumber = lineNumber;
      this.line = line;
    }

    Optional<LocatedForward> parse() {
      int hash = line.indexOf('#');
      String columns = hash >= 0 ? line.substring(0, hash) : line;
      String description = hash >= 0 ? line.substring(hash + 1).strip() : "";
      checkCharacters();
      List<Token> tokens = tokenize(columns);
      if (tokens.isEmpty()) {
        return Optional.empty();
      }

      Token ext = tokens.get(0);
      Optional<InetAddress> externalAddress = Optional.empty();
      PortRange externalPorts = null;
      ExternalSpec spec = parseExternal(ext);
      if (spec != null) {
        externalAddress = spec.address;
        externalPorts = spec.ports;
      }

      if (tokens.size() < 2) {
        error(
            line.stripTrailing().length() + 1,
            "expected the backend's IP address after '" + ext.text + "', found the end of the line");
        return Optional.empty();
      }
      Token backendToken = tokens.get(1);
      InetAddress backend = parseBackend(backendToken);

      Token backendPortToken = null;
      PortRange backendPorts = null;
      Token protocolToken = null;
      Set<Protocol> protocols = EnumSet.of(Protocol.TCP, Protocol.UDP);
      Map<String, Token> options = new LinkedHashMap<>();
      for (Token token : tokens.subList(2, tokens.size())) {
        TokenKind kind = classify(token.text);
        switch (kind) {
          case PORT -> {
            if (backendPortToken != null || protocolToken != null || !options.isEmpty()) {
              error(
                  token.column,
                  "unexpected '" + token.text + "'; the backend port comes right after the"
                      + " backend address, before the protocol and options");
            } else {
              backendPortToken = token;
              if (!token.text.equalsIgnoreCase(SAME_PORTS_WORD)) {
                backendPorts = parsePorts(token.text, token.column, "backend port");
              }
            }
          }
          case PROTOCOL -> {
            if (protocolToken != null) {
              error(token.column, "protocol given twice (first at column " + protocolToken.column + ")");
            } else if (!options.isEmpty()) {
              error(token.column, "unexpected '" + token.text + "'; the protocol comes before the options");
            } else {
              protocolToken = token;
              Set<Protocol> parsed = parseProtocols(token);
              if (parsed != null) {
                protocols = parsed;
              }
            }
          }
          case OPTION -> {
            String key = token.text.substring(0, token.text.indexOf('=')).toLowerCase(Locale.ROOT);
            Token previous = options.get(key);
            if (previous != null) {
              error(token.column, "option '" + key + "' given twice (first at column " + previous.column + ")");
            } else if (!OPTION_KEYS.contains(key)) {
              error(
                  token.column,
                  "unknown option '" + key + "'; expected one of " + String.join(", ", OPTION_KEYS)
                      + Suggestions.didYouMean(key, OPTION_KEYS));
            } else {
              options.put(key, token);
            }
          }
          case UNKNOWN -> error(
              token.column,
              "unexpected '" + token.text + "'; expected a backend port, RANGE, a protocol (tcp,"
                  + " udp or tcp,udp) or an option key=value"
                  + Suggestions.didYouMean(token.text.toLowerCase(Locale.ROOT), List.of("tcp", "udp", "tcp,udp", "range")));
        }
      }

      if (externalPorts != null && backendPortToken != null && backendPorts != null
          && backendPorts.size() != externalPorts.size()) {
        error(
            backendPortToken.column,
            "backend ports " + backendPorts + " hold " + plural(backendPorts.size(), "port")
                + " but external ports " + externalPorts + " hold " + externalPorts.size()
                + "; give a range of the same length, or RANGE for the same ports");
      }
      if (externalPorts != null && backendPorts == null) {
        backendPorts = externalPorts;
      }

      List<Cidr> allowedSources = List.of();
      boolean masquerade = true;
      ProxyProtocol proxyProtocol = ProxyProtocol.NONE;
      Token from = options.get("from");
      if (from != null) {
        allowedSources = parseSources(from);
      }
      Token masq = options.get("masquerade");
      if (masq != null) {
        masquerade = parseYesNo(masq);
      }
      Token proxy = options.get("proxy-protocol");
      if (proxy != null) {
        proxyProtocol = parseProxyProtocol(proxy);
      }

      if (errorCount() > 0 || backend == null || externalPorts == null) {
        return Optional.empty();
      }
      Forward forward =
          new Forward(
              lineNumber, externalAddress, externalPorts, backend, backendPorts, protocols,
              allowedSources, masquerade, proxyProtocol, description);
      warnAboutLikelyMistakes(forward, ext, backendToken, proxy, from);
      return Optional.of(new LocatedForward(forward, line, ext.column));
    }

    private void checkCharacters() {
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == '\uFFFD') {
          error(i + 1, "this line is not valid UTF-8; save the table as UTF-8");
          return;
        }
        if (Character.isISOControl(c) && c != '\t') {
          error(i + 1, String.format("control character U+%04X is not allowed in a table", (int) c));
          return;
        }
      }
    }

    private List<Token> tokenize(String columns) {
      List<Token> tokens = new ArrayList<>();
      int i = 0;
      while (i < columns.length()) {
        while (i < columns.length() && isBlank(columns.charAt(i))) {
          i++;
        }
        int start = i;
        while (i < columns.length() && !isBlank(columns.charAt(i))) {
          i++;
        }
        if (i > start) {
          tokens.add(new Token(columns.substring(start, i), start + 1));
        }
      }
      return tokens;
    }

    private static boolean isBlank(char c) {
      return c == ' ' || c == '\t' || c == '\u00A0' || Character.isISOControl(c);
    }

    private record ExternalSpec(Optional<InetAddress> address, PortRange ports) {}

    /** {@code 443}, {@code 8000-8009}, {@code 198.51.100.7:443}, {@code [2001:db8::1]:443}. */
    private ExternalSpec parseExternal(Token token) {
      String text = token.text;
      int column = token.column;
      if (text.startsWith("[")) {
        int close = text.indexOf(']');
        if (close < 0) {
          error(column, "missing ']' after the IPv6 address in '" + text + "'; expected [ADDRESS]:PORT");
          return null;
        }
        String literal = text.substring(1, close);
        Optional<InetAddress> address = Addresses.parse(literal);
        boolean ok = true;
        if (address.isEmpty() || address.get() instanceof java.net.Inet4Address) {
          error(column + 1, "expected an IPv6 address inside [ ], found '" + literal + "'");
          ok = false;
        }
        if (close + 1 >= text.length() || text.charAt(close + 1) != ':') {
          error(column + close + 1, "expected ':PORT' after '" + text.substring(0, close + 1) + "'");
          return null;
        }
        PortRange ports = parsePorts(text.substring(close + 2), column + close + 2, "external port");
        return ok && ports != null ? new ExternalSpec(address, ports) : null;
      }
      boolean manyColons = text.indexOf(':') != text.lastIndexOf(':');
      if (manyColons && text.indexOf('.') < 0) {
        error(column, "write an IPv6 external address in brackets, e.g. [2001:db8::1]:443; found '" + text + "'");
        return null;
      }
      if (text.indexOf('.') >= 0) {
        int colon = text.indexOf(':');
        String literal = colon >= 0 ? text.substring(0, colon) : text;
        Optional<InetAddress> address = Addresses.parse(literal);
        if (address.isEmpty()) {
          error(column, "expected an external port or ADDRESS:PORT, found '" + text + "'");
          return null;
        }
        if (colon < 0) {
          error(
              column + text.length(),
              "expected ':PORT' after the external address " + literal + " (e.g. " + literal + ":443)");
          return null;
        }
        PortRange ports = parsePorts(text.substring(colon + 1), column + colon + 1, "external port");
        return ports != null ? new ExternalSpec(address, ports) : null;
      }
      PortRange ports = parsePorts(text, column, "external port");
      return ports != null ? new ExternalSpec(Optional.empty(), ports) : null;
    }

    /** {@code 80}, {@code 8000-8009} or {@code 8000:8009}; reports and returns null when bad. */
    private PortRange parsePorts(String text, int column, String what) {
      int dash = text.indexOf('-');
      int sep = dash >= 0 ? dash : text.indexOf(':');
      if (sep < 0) {
        Integer port = parsePort(text, column, what);
        return port == null ? null : PortRange.of(port);
      }
      Integer first = parsePort(text.substring(0, sep), column, what);
      Integer last = parsePort(text.substring(sep + 1), column + sep + 1, what);
      if (first == null || last == null) {
        return null;
      }
      if (last < first) {
        error(
            column,
            "reversed " + what + " range " + text + "; the first port must not be greater than the last"
                + " (did you mean " + last + "-" + first + "?)");
        return null;
      }
      return new PortRange(first, last);
    }

    private Integer parsePort(String text, int column, String what) {
      if (!isDigits(text)) {
        String article = what.startsWith("e") ? "an " : "a ";
        error(
            column,
            "expected " + article + what + " (1-65535) or a range like 8000-8009, found "
                + (text.isEmpty() ? "nothing" : "'" + text + "'"));
        return null;
      }
      if (text.length() > 5 || Integer.parseInt(text) > PortRange.MAX_PORT || Integer.parseInt(text) < 1) {
        error(column, what + " " + text + " is outside 1-65535");
        return null;
      }
      return Integer.parseInt(text);
    }

    private InetAddress parseBackend(Token token) {
      String text = token.text;
      if (text.startsWith("[") && text.endsWith("]")) {
        text = text.substring(1, text.length() - 1);
      }
      Optional<InetAddress> address = Addresses.parse(text);
      if (address.isPresent()) {
        InetAddress backend = address.get();
        if (backend.isAnyLocalAddress()) {
          error(token.column, "backend " + text + " is the unspecified address; name the backend's own address");
          return null;
        }
        if (backend.isMulticastAddress() || "255.255.255.255".equals(text)) {
          error(token.column, "backend " + text + " is a multicast or broadcast address; name one host");
          return null;
        }
        return backend;
      }
      int colon = text.lastIndexOf(':');
      if (colon > 0 && text.indexOf('.') >= 0 && Addresses.parse(text.substring(0, colon)).isPresent()) {
        error(
            token.column,
            "expected the backend address and port as separate columns ('" + text.substring(0, colon)
                + " " + text.substring(colon + 1) + "'), found '" + text + "'");
      } else if (text.chars().anyMatch(Character::isLetter) && text.indexOf(':') < 0) {
        error(token.column, "expected the backend's IP address, found '" + text + "'; names are not resolved, write an IP address");
      } else {
        error(token.column, "expected the backend's IPv4 or IPv6 address, found '" + text + "'");
      }
      return null;
    }

    private Set<Protocol> parseProtocols(Token token) {
      Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
      int offset = 0;
      for (String part : token.text.split(",", -1)) {
        Optional<Protocol> protocol = Protocol.fromKeyword(part);
        if (protocol.isEmpty()) {
          error(
              token.column + offset,
              "unknown protocol '" + part + "'; expected tcp, udp or tcp,udp"
                  + Suggestions.didYouMean(part.toLowerCase(Locale.ROOT), List.of("tcp", "udp")));
          return null;
        }
        if (!protocols.add(protocol.get())) {
          error(token.column + offset, "protocol '" + part + "' listed twice");
          return null;
        }
        offset += part.length() + 1;
      }
      return protocols;
    }

    private List<Cidr> parseSources(Token token) {
      String value = optionValue(token);
      if (value == null) {
        return List.of();
      }
      List<Cidr> sources = new ArrayList<>();
      int column = token.column + token.text.indexOf('=') + 1;
      for (String part : value.split(",", -1)) {
        parseCidr(part, column).ifPresent(sources::add);
        column += part.length() + 1;
      }
      return sources;
    }

    private Optional<Cidr> parseCidr(String text, int column) {
      int slash = text.indexOf('/');
      String literal = slash >= 0 ? text.substring(0, slash) : text;
      Optional<InetAddress> address = Addresses.parse(literal);
      if (address.isEmpty()) {
        error(column, "expected an address or CIDR like 203.0.113.0/24 in from=, found '" + (text.isEmpty() ? "nothing" : text) + "'");
        return Optional.empty();
      }
      int bits = address.get().getAddress().length * 8;
      if (slash < 0) {
        return Optional.of(Cidr.host(address.get()));
      }
      String prefix = text.substring(slash + 1);
      if (!isDigits(prefix) || prefix.length() > 3
          || Integer.parseInt(prefix) > bits) {
        error(column + slash + 1, "prefix length '" + prefix + "' is not a number from 0 to " + bits);
        return Optional.empty();
      }
      int length = Integer.parseInt(prefix);
      Cidr cidr = new Cidr(address.get(), length);
      if (Cidr.hasHostBits(address.get(), length)) {
        warning(column, text + " has host bits set; it means " + cidr);
      }
      return Optional.of(cidr);
    }

    private boolean parseYesNo(Token token) {
      String value = optionValue(token);
      if (value == null) {
        return true;
      }
      switch (value.toLowerCase(Locale.ROOT)) {
        case "yes", "true", "on" -> {
          return true;
        }
        case "no", "false", "off" -> {
          return false;
        }
        default -> {
          error(valueColumn(token), "expected masquerade=yes or masquerade=no, found '" + value + "'");
          return true;
        }
      }
    }

    private ProxyProtocol parseProxyProtocol(Token token) {
      String value = optionValue(token);
      if (value == null) {
        return ProxyProtocol.NONE;
      }
      switch (value.toLowerCase(Locale.ROOT)) {
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
          error(valueColumn(token), "expected proxy-protocol=v1, v2 or none, found '" + value + "'");
          return ProxyProtocol.NONE;
        }
      }
    }

    /** The text after {@code =}, or null (reported) when it is empty. */
    private String optionValue(Token token) {
      String value = token.text.substring(token.text.indexOf('=') + 1);
      if (value.isEmpty()) {
        String key = token.text.substring(0, token.text.indexOf('='));
        error(valueColumn(token), "option '" + key + "' needs a value after '='");
        return null;
      }
      return value;
    }

    private static int valueColumn(Token token) {
      return token.column + token.text.indexOf('=') + 1;
    }

    private void warnAboutLikelyMistakes(
        Forward forward, Token ext, Token backendToken, Token proxy, Token from) {
      if (forward.backend().isLoopbackAddress()) {
        warning(
            backendToken.column,
            "backend " + backendToken.text + " is a loopback address; the kernel does not forward to"
                + " loopback (only the relay can reach it)");
      }
      forward.externalAddress().ifPresent(address -> {
        if (!address.getClass().equals(forward.backend().getClass())) {
          warning(
              backendToken.column,
              "external address and backend are of different IP versions; only 'portfwd relay' can"
                  + " serve this line, kernel backends will refuse it");
        }
      });
      if (forward.proxyProtocol() == ProxyProtocol.V1 && forward.carries(Protocol.UDP)) {
        warning(
            proxy.column,
            "PROXY protocol v1 is TCP-only; UDP datagrams of this forward get no header (use v2, or"
                + " limit the line to tcp)");
      }
      if (from != null) {
        for (Cidr cidr : forward.allowedSources()) {
          if (forward.externalAddress().isPresent()
              && cidr.family() != dev.portfwd.model.IpFamily.of(forward.externalAddress().get())) {
            warning(from.column, "from=" + cidr + " can never match: the external address is of the other IP version");
          }
        }
      }
      if (forward.externalAddress().isEmpty() && forward.externalPorts().contains(22)
          && forward.carries(Protocol.TCP)) {
        warning(
            ext.column,
            "this forward takes port 22 on every address of the gateway; if you reach the gateway"
                + " by SSH on port 22, you lock yourself out (name an external address, or move SSH)");
      }
    }

    private int errorCount() {
      return errors;
    }

    private void error(int column, String message) {
      errors++;
      diagnostics.add(new Diagnostic(source, lineNumber, Math.max(1, column), Severity.ERROR, message, line));
    }

    private void warning(int column, String message) {
      diagnostics.add(new Diagnostic(source, lineNumber, Math.max(1, column), Severity.WARNING, message, line));
    }
  }

  private enum TokenKind {
    PORT,
    PROTOCOL,
    OPTION,
    UNKNOWN
  }

  private static TokenKind classify(String text) {
    if (text.indexOf('=') > 0) {
      return TokenKind.OPTION;
    }
    if (text.equalsIgnoreCase(SAME_PORTS_WORD) || Character.isDigit(text.charAt(0))) {
      return TokenKind.PORT;
    }
    boolean protocolShaped = true;
    for (int i = 0; i < text.length() && protocolShaped; i++) {
      protocolShaped = Character.isLetter(text.charAt(i)) || text.charAt(i) == ',';
    }
    if (protocolShaped && (text.indexOf(',') >= 0 || text.length() <= 4)) {
      return TokenKind.PROTOCOL;
    }
    return TokenKind.UNKNOWN;
  }

  private static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }
}
