package dev.portfwd.ha;

import dev.portfwd.model.Addresses;
import dev.portfwd.table.Diagnostic;
import dev.portfwd.table.Severity;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads an HA description: one setting per line, {@code #} starts a comment, and the two gateways
 * as {@code gateway NAME key=value ...} lines, in the manner of the forwarding table:
 *
 * <pre>
 * virtual-public  203.0.113.1/24    # the address clients connect to
 * virtual-vpn     192.0.2.254/24    # the address backends answer (snat= of every forward)
 * router-id       51
 * secret          pairkey1
 * advert          100ms
 * gateway gw-a priority=150 public=203.0.113.2%wan vpn=192.0.2.1%vpn sync=198.51.100.1%sync
 * gateway gw-b priority=100 public=203.0.113.3%wan vpn=192.0.2.3%vpn sync=198.51.100.2%sync
 * </pre>
 *
 * <p>Every problem is reported at once with its place, as {@link Diagnostic}s; a description with
 * an error yields none.
 */
public final class HaDescriptionParser {

  static final List<String> SETTINGS =
      List.of("virtual-public", "virtual-vpn", "router-id", "secret", "advert", "sync-port");
  static final List<String> GATEWAY_KEYS = List.of("priority", "public", "vpn", "sync");
  private static final List<String> REQUIRED =
      List.of("virtual-public", "virtual-vpn", "router-id", "secret");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
  // Linux interface names: at most 15 bytes, no slash, colon or blank.
  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@-][A-Za-z0-9_.@-]{0,14}");
  // keepalived.conf takes it as one word only without quotes, backslashes, braces (a word ends at
  // one), '$' (a variable) and '!' or '#' (comments).
  private static final Pattern SECRET = Pattern.compile("[!-~&&[^\"\\\\#{}$!]]{1,8}");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})(ms|s)");

  /** What a description read to: the description when there was no error, and every diagnostic. */
  public record Result(Optional<HaDescription> description, List<Diagnostic> diagnostics) {
    public boolean hasErrors() {
      return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
  }

  private record Token(String text, int column) {}

  private record Setting(Token value, int line) {}

  private final String source;
  private final List<String> lines;
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private final Map<String, Setting> settings = new LinkedHashMap<>();
  private final java.util.Set<String> given = new java.util.HashSet<>();
  private final List<HaGateway> gateways = new ArrayList<>();

  private HaDescriptionParser(String source, String text) {
    this.source = source;
    this.lines = text.lines().toList();
  }

  /** Parses {@code text}, naming {@code source} (a file name) in messages. */
  public static Result parse(String source, String text) {
    return new HaDescriptionParser(source, text).run();
  }

  private Result run() {
    for (int i = 0; i < lines.size(); i++) {
      parseLine(i + 1, lines.get(i));
    }
    Optional<HaDescription> description = finish();
    diagnostics.sort(Diagnostic.BY_PLACE);
    boolean errors = diagnostics.stream().anyMatch(Diagnostic::isError);
    return new Result(errors ? Optional.empty() : description, List.copyOf(diagnostics));
  }

  private void parseLine(int line, String text) {
    String content = text;
    int hash = content.indexOf('#');
    if (hash >= 0) {
      content = content.substring(0, hash);
    }
    List<Token> tokens = new ArrayList<>();
    for (int i = 0; i < content.length(); ) {
      if (Character.isWhitespace(content.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < content.length() && !Character.isWhitespace(content.charAt(i))) {
        i++;
      }
      tokens.add(new Token(content.substring(start, i), start + 1));
    }
    for (int i = 0; i < content.length(); i++) {
      char c = content.charAt(i);
      if (Character.isISOControl(c) && c != '\t') {
        error(line, i + 1, "control character in the description; expected plain text");
        return;
      }
    }
    if (tokens.isEmpty()) {
      return;
    }
    Token key = tokens.get(0);
    if (key.text().equals("gateway")) {
      parseGateway(line, tokens);
      return;
    }
    if (SETTINGS.contains(key.text())) {
      given.add(key.text());
    }
    if (!SETTINGS.contains(key.text())) {
      error(
          line,
          key.column(),
          "unknown setting '"
              + cut(key.text())
              + "'; expected one of "
              + String.join(", ", SETTINGS)
              + " or gateway");
      return;
    }
    if (tokens.size() < 2) {
      error(line, key.column() + key.text().length() + 1, key.text() + " needs a value");
      return;
    }
    if (tokens.size() > 2) {
      Token extra = tokens.get(2);
      error(
          line,
          extra.column(),
          "unexpected '" + cut(extra.text()) + "' after " + key.text() + "'s value");
      return;
    }
    Setting earlier = settings.get(key.text());
    if (earlier != null) {
      error(line, key.column(), key.text() + " is already set on line " + earlier.line());
      return;
    }
    if (checkSetting(key.text(), tokens.get(1), line)) {
      settings.put(key.text(), new Setting(tokens.get(1), line));
    }
  }

  /** Checks one setting's value, reporting what is wrong; true when it is usable. */
  private boolean checkSetting(String key, Token value, int line) {
    switch (key) {
      case "virtual-public", "virtual-vpn" -> {
        return virtualAddress(value, line).isPresent();
      }
      case "router-id" -> {
        return number(value, line, 1, 255, "a VRRP router id from 1 to 255").isPresent();
      }
      case "sync-port" -> {
        return number(value, line, 1, 65535, "a UDP port from 1 to 65535").isPresent();
      }
      case "secret" -> {
        if (!SECRET.matcher(value.text()).matches()) {
          error(
              line,
              value.column(),
              "expected a secret of 1 to 8 printable characters without quotes, backslashes,"
                  + " braces, '$', '!' or '#' (VRRP's password limit; keepalived's syntax), found "
                  + value.text().length()
                  + " characters");
          return false;
        }
        return true;
      }
      case "advert" -> {
        return advert(value, line).isPresent();
      }
      default -> throw new IllegalStateException(key);
    }
  }

  private void parseGateway(int line, List<Token> tokens) {
    Token keyword = tokens.get(0);
    if (tokens.size() < 2) {
      error(line, keyword.column() + keyword.text().length() + 1, "gateway needs a name");
      return;
    }
    Token name = tokens.get(1);
    boolean ok = true;
    if (!NAME.matcher(name.text()).matches()) {
      error(
          line,
          name.column(),
          "expected a gateway name of letters, digits, '.', '_' or '-' (at most 32), found '"
              + cut(name.text())
              + "'");
      ok = false;
    }
    Map<String, Token> options = new HashMap<>();
    for (Token option : tokens.subList(2, tokens.size())) {
      int eq = option.text().indexOf('=');
      String key = eq < 0 ? option.text() : option.text().substring(0, eq);
      if (eq < 0 || !GATEWAY_KEYS.contains(key)) {
        error(
            line,
            option.column(),
            "unknown gateway option '"
                + cut(option.text())
                + "'; expected "
                + String.join("=, ", GATEWAY_KEYS)
                + "=");
        ok = false;
      } else if (options.containsKey(key)) {
        error(line, option.column(), "option " + key + "= is given twice");
        ok = false;
      } else {
        options.put(key, option);
      }
    }
    for (String key : GATEWAY_KEYS) {
      if (!options.containsKey(key)) {
        error(
            line,
            name.column(),
            "gateway "
                + cut(name.text())
                + " needs "
                + key
                + "="
                + (key.equals("priority") ? "1-254" : "ADDRESS%INTERFACE"));
        ok = false;
      }
    }
    if (!ok) {
      return;
    }
    Optional<Integer> priority =
        number(valueOf(options.get("priority")), line, 1, 254, "a VRRP priority from 1 to 254");
    Optional<HaEndpoint> publicSide = endpoint(valueOf(options.get("public")), line);
    Optional<HaEndpoint> vpnSide = endpoint(valueOf(options.get("vpn")), line);
    Optional<HaEndpoint> sync = endpoint(valueOf(options.get("sync")), line);
    if (priority.isPresent() && publicSide.isPresent() && vpnSide.isPresent() && sync.isPresent()) {
      gateways.add(
          new HaGateway(
              name.text(), priority.get(), publicSide.get(), vpnSide.get(), sync.get(), line));
    }
  }

  /** The value part of a {@code key=value} token, with its own column. */
  private static Token valueOf(Token option) {
    int eq = option.text().indexOf('=');
    return new Token(option.text().substring(eq + 1), option.column() + eq + 1);
  }

  private Optional<HaEndpoint> endpoint(Token value, int line) {
    int percent = value.text().indexOf('%');
    if (percent < 0) {
      error(
          line,
          value.column(),
          "expected ADDRESS%INTERFACE like 192.0.2.1%vpn, found '" + cut(value.text()) + "'");
      return Optional.empty();
    }
    Optional<Inet4Address> address =
        ipv4(new Token(value.text().substring(0, percent), value.column()), line);
    String name = value.text().substring(percent + 1);
    if (!INTERFACE.matcher(name).matches()) {
      error(
          line,
          value.column() + percent + 1,
          "expected an interface name of at most 15 letters, digits, '.', '_', '-' or '@', found '"
              + cut(name)
              + "'");
      return Optional.empty();
    }
    return address.map(a -> new HaEndpoint(name, a));
  }

  private Optional<VirtualAddress> virtualAddress(Token value, int line) {
    int slash = value.text().indexOf('/');
    if (slash < 0) {
      error(
          line,
          value.column() + value.text().length(),
          "expected the prefix length of the link after the address, like 203.0.113.1/24");
      return Optional.empty();
    }
    Optional<Inet4Address> address =
        ipv4(new Token(value.text().substring(0, slash), value.column()), line);
    Optional<Integer> prefix =
        number(
            new Token(value.text().substring(slash + 1), value.column() + slash + 1),
            line,
            1,
            32,
            "a prefix length from 1 to 32");
    if (address.isEmpty() || prefix.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new VirtualAddress(address.get(), prefix.get()));
  }

  private Optional<Inet4Address> ipv4(Token token, int line) {
    Optional<InetAddress> address = Addresses.parse(token.text());
    if (address.isEmpty() || !(address.get() instanceof Inet4Address v4)) {
      error(
          line,
          token.column(),
          "expected an IPv4 address, found '"
              + (token.text().isEmpty() ? "nothing" : cut(token.text()))
              + "'"
              + (address.isPresent() ? " (an HA pair is IPv4 for now)" : ""));
      return Optional.empty();
    }
    return Optional.of(v4);
  }

  private Optional<Integer> number(Token token, int line, int min, int max, String expected) {
    String text = token.text();
    if (!text.isEmpty() && text.length() <= 6 && text.chars().allMatch(Character::isDigit)) {
      int n = Integer.parseInt(text);
      if (n >= min && n <= max) {
        return Optional.of(n);
      }
    }
    error(
        line,
        token.column(),
        "expected " + expected + ", found '" + (text.isEmpty() ? "nothing" : cut(text)) + "'");
    return Optional.empty();
  }

  private Optional<Duration> advert(Token token, int line) {
    var m = DURATION.matcher(token.text());
    if (m.matches()) {
      long millis = Long.parseLong(m.group(1)) * (m.group(2).equals("s") ? 1000 : 1);
      // VRRPv3 counts in centiseconds; VRRPv2 in whole seconds up to 255.
      boolean fits =
          millis >= 10
              && millis <= 40_950
              && millis % 10 == 0
              && (millis < 1000 || millis % 1000 == 0);
      if (fits) {
        return Optional.of(Duration.ofMillis(millis));
      }
    }
    error(
        line,
        token.column(),
        "expected an advertisement interval like 1s, 3s or 100ms (10ms steps below a second,"
            + " whole seconds above), found '"
            + cut(token.text())
            + "'");
    return Optional.empty();
  }

  /** Whole-description checks: what is missing, and what the two gateways must not share. */
  private Optional<HaDescription> finish() {
    int last = Math.max(1, lines.size());
    boolean complete = true;
    for (String key : REQUIRED) {
      if (!given.contains(key)) {
        error(last, 1, "missing setting " + key + "; every HA description needs " + hint(key));
      }
      complete &= settings.containsKey(key);
    }
    if (gateways.size() != 2) {
      if (gateways.size() > 2) {
        error(
            gateways.get(2).line(),
            1,
            "a third gateway; an HA pair has exactly two (lines "
                + gateways.get(0).line()
                + " and "
                + gateways.get(1).line()
                + ")");
      } else if (!hasGatewayErrors()) {
        error(
            last,
            1,
            "expected two 'gateway NAME priority=N public=ADDRESS%IF vpn=ADDRESS%IF"
                + " sync=ADDRESS%IF' lines, found "
                + gateways.size());
      }
      complete = false;
    }
    if (!complete || hasErrors()) {
      return Optional.empty();
    }
    HaGateway a = gateways.get(0);
    HaGateway b = gateways.get(1);
    if (a.name().equals(b.name())) {
      error(
          b.line(),
          column(b.line(), " " + b.name()) + 1,
          "gateway " + cut(b.name()) + " is already declared on line " + a.line());
    }
    if (a.priority() == b.priority()) {
      error(
          b.line(),
          column(b.line(), "priority="),
          "both gateways have priority "
              + b.priority()
              + "; expected different ones so that one is preferred");
    }
    VirtualAddress vpub = value("virtual-public").flatMap(t -> virtualAddress(t, 0)).orElseThrow();
    VirtualAddress vvpn = value("virtual-vpn").flatMap(t -> virtualAddress(t, 0)).orElseThrow();
    Map<InetAddress, String> owners = new HashMap<>();
    owners.put(vpub.address(), "virtual-public");
    if (owners.put(vvpn.address(), "virtual-vpn") != null) {
      error(
          settings.get("virtual-vpn").line(),
          settings.get("virtual-vpn").value().column(),
          "virtual-vpn is the same address as virtual-public; expected one address per link");
    }
    for (HaGateway g : gateways) {
      for (var side :
          List.of(
              Map.entry("public=", g.publicSide()),
              Map.entry("vpn=", g.vpnSide()),
              Map.entry("sync=", g.sync()))) {
        String owner =
            owners.putIfAbsent(side.getValue().address(), g.name() + " " + side.getKey());
        if (owner != null) {
          error(
              g.line(),
              column(g.line(), side.getKey()) + side.getKey().length(),
              Addresses.format(side.getValue().address())
                  + " is already "
                  + owner
                  + "; expected an address of this gateway's own");
        }
      }
    }
    if (hasErrors()) {
      return Optional.empty();
    }
    int routerId = Integer.parseInt(settings.get("router-id").value().text());
    int syncPort =
        settings.containsKey("sync-port")
            ? Integer.parseInt(settings.get("sync-port").value().text())
            : 3780;
    Duration advert =
        settings.containsKey("advert")
            ? advert(settings.get("advert").value(), 0).orElseThrow()
            : Duration.ofSeconds(1);
    return Optional.of(
        new HaDescription(
            source,
            vpub,
            vvpn,
            routerId,
            settings.get("secret").value().text(),
            advert,
            syncPort,
            gateways));
  }

  private Optional<Token> value(String key) {
    return Optional.ofNullable(settings.get(key)).map(Setting::value);
  }

  private static String hint(String key) {
    return switch (key) {
      case "virtual-public" ->
          "the address clients connect to, like 'virtual-public 203.0.113.1/24'";
      case "virtual-vpn" -> "the address backends answer, like 'virtual-vpn 192.0.2.254/24'";
      case "router-id" -> "a VRRP router id, like 'router-id 51'";
      default -> "a VRRP password of at most 8 characters, like 'secret pairkey1'";
    };
  }

  private int column(int line, String needle) {
    int at = lines.get(line - 1).indexOf(needle);
    return at < 0 ? 1 : at + 1;
  }

  private boolean hasGatewayErrors() {
    for (Diagnostic d : diagnostics) {
      if (d.isError() && lines.get(d.line() - 1).trim().startsWith("gateway")) {
        return true;
      }
    }
    return false;
  }

  private boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }

  private void error(int line, int column, String message) {
    if (line == 0) {
      return; // a re-read of a value already checked
    }
    String text = line <= lines.size() ? lines.get(line - 1) : "";
    diagnostics.add(new Diagnostic(source, line, column, Severity.ERROR, message, text));
  }

  private static String cut(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "\u2026";
  }
}
