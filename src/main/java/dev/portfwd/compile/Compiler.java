package dev.portfwd.compile;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Balance;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import dev.portfwd.model.ProxyProtocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a validated table into the {@link DesiredState} every kernel backend installs.
 *
 * <p>Pure: no I/O, no knowledge of nft or iptables. Each table line becomes one {@link
 * CompiledForward} per protocol. Lines the kernel cannot serve are collected, never half compiled:
 * an external address and backend of different IP versions (only the relay bridges IPv6 to IPv4),
 * {@code from=} blocks of the other IP version, PROXY protocol (a kernel NAT rule cannot add a
 * header), and forwards spread over several backends that nftables' lookups cannot hold ({@link
 * #spreadRefused}).
 */
public final class Compiler {

  /** The most backends kernel round robin spreads over (the nftables backend's maps). */
  public static final int MAX_ROUND_ROBIN = 8;

  private Compiler() {}

  /**
   * Compiles {@code table}.
   *
   * @throws CompileException listing every line the kernel backends cannot serve
   */
  public static DesiredState compile(ForwardTable table) throws CompileException {
    List<String> problems = new ArrayList<>();
    List<CompiledForward> compiled = new ArrayList<>();
    List<Forward> origins = new ArrayList<>(); // the table line of each compiled forward
    for (Forward forward : table.forwards()) {
      IpFamily family = forward.family();
      if (forward.externalAddress().map(a -> IpFamily.of(a) != family).orElse(false)) {
        problems.add(
            where(table, forward, forward.columns().external())
                + "external address "
                + forward.externalText()
                + " and backend "
                + forward.backendText()
                + " are of different IP versions; kernel NAT cannot bridge them"
                + " (use 'portfwd relay')");
        continue;
      }
      List<Cidr> foreign = new ArrayList<>();
      for (Cidr source : forward.allowedSources()) {
        if (source.family() != family) {
          foreign.add(source);
        }
      }
      if (!foreign.isEmpty()) {
        problems.add(
            where(table, forward, forward.columns().option("from"))
                + "from="
                + foreign.get(0)
                + " is of another IP version than backend "
                + forward.backendText()
                + "; no such client can reach it");
        continue;
      }
      if (forward.proxyProtocol() != ProxyProtocol.NONE) {
        problems.add(
            where(table, forward, forward.columns().option("proxy-protocol"))
                + "proxy-protocol="
                + forward.proxyProtocol().keyword()
                + " needs the userspace relay ('portfwd relay'); kernel NAT cannot add a header");
        continue;
      }
      if (forward.snat().isPresent() && IpFamily.of(forward.snat().get()) != family) {
        // The parser checks address literals; a name resolves to its version only now.
        problems.add(
            where(table, forward, forward.columns().option("snat"))
                + "snat="
                + Addresses.format(forward.snat().get())
                + " is of another IP version than backend "
                + forward.backendText());
        continue;
      }
      Optional<Spread> spread = Optional.empty();
      if (forward.pool().balanceInEffect() != Balance.FAILOVER
          && forward.pool().members().size() > 1) {
        Optional<String> refused = spreadRefused(table, forward);
        if (refused.isPresent()) {
          problems.add(refused.get());
          continue;
        }
        spread =
            Optional.of(new Spread(forward.pool().balanceInEffect(), forward.pool().addresses()));
      }
      for (Protocol protocol : forward.protocolList()) {
        compiled.add(
            new CompiledForward(
                family,
                forward.externalAddress(),
                protocol,
                forward.externalPorts(),
                forward.backend(),
                forward.backendPorts(),
                forward.allowedSources(),
                forward.masquerade() || forward.snat().isPresent(),
                forward.description(),
                forward.snat(),
                spread));
        origins.add(forward);
      }
    }
    problems.addAll(snatShared(table, compiled, origins));
    if (!problems.isEmpty()) {
      throw new CompileException(problems);
    }
    return new DesiredState(compiled);
  }

  /**
   * Why the kernel backends cannot spread {@code forward} over its backends; empty when they can.
   * Ranges, external addresses, {@code from=} and {@code snat=} work as for one backend: the lookup
   * adds a slot chosen per connection to the key of the forward's shape. Round robin keeps a rule
   * per count of backends, so the count is bounded.
   */
  private static Optional<String> spreadRefused(ForwardTable table, Forward forward) {
    String balance = "balance=" + forward.pool().balanceInEffect().keyword();
    if (forward.pool().balanceInEffect() == Balance.ROUNDROBIN
        && forward.pool().members().size() > MAX_ROUND_ROBIN) {
      return Optional.of(
          where(table, forward, forward.columns().option("balance"))
              + balance
              + " spreads over at most "
              + MAX_ROUND_ROBIN
              + " backends in the kernel, not "
              + forward.pool().members().size()
              + "; use balance=hash or fewer backends");
    }
    if (forward.pool().members().stream()
        .anyMatch(m -> IpFamily.of(m.address()) != forward.family())) {
      return Optional.of(
          where(table, forward, forward.columns().backend())
              + "the backends of one forward must share one IP version");
    }
    if (forward.externalAddress().isPresent() && forward.isRestricted()) {
      return Optional.of(
          where(table, forward, forward.columns().option("from"))
              + balance
              + " over several backends takes an external address or from=, not both: the"
              + " kernel lookup would not fit nftables' registers; use balance=failover, or"
              + " one forward per external address without it");
    }
    return Optional.empty();
  }

  /**
   * The {@code masquerade=no} forwards on a backend port that a {@code snat=} forward translates,
   * and the {@code snat=} forwards on a backend port that another translates to another address:
   * postrouting picks the translation by the backend alone, so their clients would be translated
   * too, or one source address would silently win. The table stage refuses this for address
   * literals with the place of each; this catches what names resolved to, for every backend of a
   * spread forward. Swept in port order per backend and protocol, as the table stage does.
   */
  private static List<String> snatShared(
      ForwardTable table, List<CompiledForward> compiled, List<Forward> origins) {
    if (compiled.stream().noneMatch(f -> f.snat().isPresent())) {
      return List.of();
    }
    List<CompiledForward> each = new ArrayList<>();
    List<Forward> eachOrigin = new ArrayList<>();
    for (int i = 0; i < compiled.size(); i++) {
      CompiledForward f = compiled.get(i);
      if (f.snat().isPresent() || !f.masquerade()) {
        for (CompiledForward one : f.eachBackend()) {
          each.add(one);
          eachOrigin.add(origins.get(i));
        }
      }
    }
    Map<List<Object>, List<Integer>> byBackend = new HashMap<>();
    for (int i = 0; i < each.size(); i++) {
      CompiledForward f = each.get(i);
      byBackend
          .computeIfAbsent(List.of(f.family(), f.backend(), f.protocol()), k -> new ArrayList<>())
          .add(i);
    }
    Set<String> found = new TreeSet<>();
    for (List<Integer> group : byBackend.values()) {
      group.sort(Comparator.comparingInt((Integer i) -> each.get(i).backendPorts().first()));
      Map<InetAddress, Integer> widestSnat = new HashMap<>();
      Integer widestKept = null;
      for (int i : group) {
        CompiledForward current = each.get(i);
        Optional<InetAddress> source = current.snat();
        List<Integer> others = new ArrayList<>();
        if (source.isPresent()) {
          others.add(widestKept);
          widestSnat.forEach(
              (address, widest) -> {
                if (!address.equals(source.get())) {
                  others.add(widest);
                }
              });
        } else {
          others.addAll(widestSnat.values());
        }
        for (Integer other : others) {
          if (other != null
              && each.get(other).backendPorts().overlaps(current.backendPorts())
              && eachOrigin.get(other).line() != eachOrigin.get(i).line()) {
            boolean currentFirst = eachOrigin.get(i).line() < eachOrigin.get(other).line();
            found.add(
                currentFirst
                    ? conflict(
                        table, current, eachOrigin.get(i), each.get(other), eachOrigin.get(other))
                    : conflict(
                        table, each.get(other), eachOrigin.get(other), current, eachOrigin.get(i)));
          }
        }
        if (source.isPresent()) {
          widestSnat.put(source.get(), widest(each, widestSnat.get(source.get()), i));
        } else {
          widestKept = widest(each, widestKept, i);
        }
      }
    }
    return List.copyOf(found);
  }

  /**
   * The message for two forwards whose source translations clash, at the later line's {@code snat=}
   * (or {@code masquerade=no}) column.
   */
  private static String conflict(
      ForwardTable table,
      CompiledForward first,
      Forward firstLine,
      CompiledForward later,
      Forward laterLine) {
    String backend =
        "backend "
            + Addresses.withPort(later.backend(), later.backendPorts())
            + "/"
            + later.protocol().keyword();
    String found;
    String expected;
    if (later.snat().isPresent()) {
      found = "snat=" + Addresses.format(later.snat().get()) + " cannot take " + backend;
      expected =
          first.snat().isPresent()
              ? " translates it to snat=" + Addresses.format(first.snat().get())
              : " forwards to it with masquerade=no";
    } else {
      found = "masquerade=no cannot keep the clients' address on " + backend;
      expected = " translates it to snat=" + Addresses.format(first.snat().get());
    }
    return where(
            table,
            laterLine,
            laterLine.columns().option(later.snat().isPresent() ? "snat" : "masquerade"))
        + found
        + ": line "
        + firstLine.line()
        + expected
        + " (a name resolved to it), and the kernel chooses the source translation by the"
        + " backend's address and port alone";
  }

  private static Integer widest(List<CompiledForward> compiled, Integer widest, int current) {
    return widest == null
            || compiled.get(current).backendPorts().last()
                > compiled.get(widest).backendPorts().last()
        ? current
        : widest;
  }

  /** {@code file:line:col: error: }, the start of a message about {@code forward}'s line. */
  private static String where(ForwardTable table, Forward forward, int column) {
    return table.source() + ":" + forward.line() + ":" + column + ": error: ";
  }
}
