package dev.portfwd.compile;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Balance;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import dev.portfwd.model.ProxyProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
    for (Forward forward : table.forwards()) {
      IpFamily family = forward.family();
      if (forward.externalAddress().map(a -> IpFamily.of(a) != family).orElse(false)) {
        problems.add(
            where(table, forward)
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
            where(table, forward)
                + "from="
                + foreign.get(0)
                + " is of another IP version than backend "
                + forward.backendText()
                + "; no such client can reach it");
        continue;
      }
      if (forward.proxyProtocol() != ProxyProtocol.NONE) {
        problems.add(
            where(table, forward)
                + "proxy-protocol="
                + forward.proxyProtocol().keyword()
                + " needs the userspace relay ('portfwd relay'); kernel NAT cannot add a header");
        continue;
      }
      if (forward.snat().isPresent() && IpFamily.of(forward.snat().get()) != family) {
        // The parser checks address literals; a name resolves to its version only now.
        problems.add(
            where(table, forward)
                + "snat="
                + Addresses.format(forward.snat().get())
                + " is of another IP version than backend "
                + forward.backendText());
        continue;
      }
      Optional<Spread> spread = Optional.empty();
      if (forward.pool().balanceInEffect() != Balance.FAILOVER
          && forward.pool().members().size() > 1) {
        Optional<String> refused = spreadRefused(forward);
        if (refused.isPresent()) {
          problems.add(where(table, forward) + refused.get());
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
      }
    }
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
  private static Optional<String> spreadRefused(Forward forward) {
    String balance = "balance=" + forward.pool().balanceInEffect().keyword();
    if (forward.pool().balanceInEffect() == Balance.ROUNDROBIN
        && forward.pool().members().size() > MAX_ROUND_ROBIN) {
      return Optional.of(
          balance
              + " spreads over at most "
              + MAX_ROUND_ROBIN
              + " backends in the kernel, not "
              + forward.pool().members().size()
              + "; use balance=hash or fewer backends");
    }
    if (forward.pool().members().stream()
        .anyMatch(m -> IpFamily.of(m.address()) != forward.family())) {
      return Optional.of("the backends of one forward must share one IP version");
    }
    if (forward.externalAddress().isPresent() && forward.isRestricted()) {
      return Optional.of(
          balance
              + " over several backends takes an external address or from=, not both: the"
              + " kernel lookup would not fit nftables' registers; use balance=failover, or"
              + " one forward per external address without it");
    }
    return Optional.empty();
  }

  private static String where(ForwardTable table, Forward forward) {
    return table.source() + ":" + forward.line() + ": error: ";
  }
}
