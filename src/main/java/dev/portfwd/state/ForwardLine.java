package dev.portfwd.state;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.Spread;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Balance;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@link CompiledForward} as one line of tab-separated fields, the description last: {@code
 * ipv4 - tcp 13102 192.0.2.2 80 - yes Netbook Apache}. Apply records 50,000 forwards in
 * milliseconds this way and compares states as text; forwards are parsed back only to restore one.
 */
final class ForwardLine {

  private static final int FIELDS = 9;
  private static final String SNAT_PREFIX = "snat:";

  private ForwardLine() {}

  static String format(CompiledForward f) {
    StringBuilder line = new StringBuilder(64);
    line.append(f.family().name())
        .append('\t')
        .append(f.externalAddress().map(Addresses::format).orElse("-"))
        .append('\t')
        .append(f.protocol().name())
        .append('\t')
        .append(f.externalPorts())
        .append('\t')
        .append(backendField(f))
        .append('\t')
        .append(f.backendPorts())
        .append('\t');
    if (f.allowedSources().isEmpty()) {
      line.append('-');
    } else {
      for (int i = 0; i < f.allowedSources().size(); i++) {
        Cidr cidr = f.allowedSources().get(i);
        line.append(i == 0 ? "" : ",")
            .append(Addresses.format(cidr.network()))
            .append('/')
            .append(cidr.prefixLength());
      }
    }
    // snat= rides in the masquerade field ("snat:ADDRESS"), so records without it read as before.
    line.append('\t')
        .append(
            f.snat().isPresent()
                ? SNAT_PREFIX + Addresses.format(f.snat().get())
                : f.masquerade() ? "yes" : "no")
        .append('\t');
    for (char c : f.description().toCharArray()) {
      switch (c) {
        case '\\' -> line.append("\\\\");
        case '\t' -> line.append("\\t");
        case '\n' -> line.append("\\n");
        case '\r' -> line.append("\\r");
        default -> line.append(c);
      }
    }
    return line.toString();
  }

  /**
   * @throws IllegalArgumentException when {@code line} is not one {@link #format} wrote
   */
  static CompiledForward parse(String line) {
    // split("\t", FIELDS) by hand: the lead-in of every recorded-state read, 10,000 lines cold.
    String[] f = new String[FIELDS];
    int start = 0;
    for (int i = 0; i < FIELDS - 1; i++) {
      int tab = line.indexOf('\t', start);
      if (tab < 0) {
        throw new IllegalArgumentException("expected " + FIELDS + " fields: " + line);
      }
      f[i] = line.substring(start, tab);
      start = tab + 1;
    }
    f[FIELDS - 1] = line.substring(start);
    List<Cidr> from = new ArrayList<>();
    if (!f[6].equals("-")) {
      for (String cidr : f[6].split(",")) {
        String[] parts = cidr.split("/", 2);
        from.add(new Cidr(address(parts[0]), Integer.parseInt(parts[1])));
      }
    }
    Optional<InetAddress> external =
        f[1].equals("-") ? Optional.empty() : Optional.of(address(f[1]));
    Optional<Spread> spread = Optional.empty();
    InetAddress backend;
    int equals = f[4].indexOf('=');
    if (equals > 0) {
      List<InetAddress> backends = new ArrayList<>();
      for (String part : f[4].substring(equals + 1).split(",")) {
        backends.add(address(part));
      }
      Balance balance =
          Balance.of(f[4].substring(0, equals))
              .orElseThrow(() -> new IllegalArgumentException("unknown balance in " + line));
      spread = Optional.of(new Spread(balance, backends));
      backend = backends.get(0);
    } else {
      backend = address(f[4]);
    }
    return new CompiledForward(
        IpFamily.valueOf(f[0]),
        external,
        Protocol.valueOf(f[2]),
        ports(f[3]),
        backend,
        ports(f[5]),
        from,
        f[7].equals("yes") || f[7].startsWith(SNAT_PREFIX),
        unescape(f[8]),
        f[7].startsWith(SNAT_PREFIX)
            ? Optional.of(address(f[7].substring(SNAT_PREFIX.length())))
            : Optional.empty(),
        spread);
  }

  /** {@code 192.0.2.2}, or {@code roundrobin=192.0.2.2,192.0.2.18} for a spread forward. */
  private static String backendField(CompiledForward f) {
    if (f.spread().isEmpty()) {
      return Addresses.format(f.backend());
    }
    return f.spread().get().balance().keyword()
        + "="
        + String.join(",", f.spread().get().backends().stream().map(Addresses::format).toList());
  }

  /**
   * True when two lines are the same forward as the kernel holds it: backends cut descriptions to
   * their comment limit, so a description that is a prefix of the other counts as the same.
   */
  static boolean sameInKernel(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    int cutA = descriptionStart(a);
    int cutB = descriptionStart(b);
    if (cutA != cutB || !a.regionMatches(0, b, 0, cutA)) {
      return false;
    }
    String da = a.substring(cutA);
    String db = b.substring(cutB);
    return da.startsWith(db) || db.startsWith(da);
  }

  private static int descriptionStart(String line) {
    int at = -1;
    for (int i = 0; i < FIELDS - 1; i++) {
      at = line.indexOf('\t', at + 1);
      if (at < 0) {
        return line.length();
      }
    }
    return at + 1;
  }

  private static String unescape(String text) {
    if (text.indexOf('\\') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        char next = text.charAt(++i);
        out.append(
            switch (next) {
              case 't' -> '\t';
              case 'n' -> '\n';
              case 'r' -> '\r';
              default -> next;
            });
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static InetAddress address(String literal) {
    return Addresses.parse(literal)
        .orElseThrow(() -> new IllegalArgumentException("not an address: " + literal));
  }

  private static PortRange ports(String text) {
    int dash = text.indexOf('-');
    return dash < 0
        ? PortRange.of(Integer.parseInt(text))
        : new PortRange(
            Integer.parseInt(text.substring(0, dash)), Integer.parseInt(text.substring(dash + 1)));
  }
}
