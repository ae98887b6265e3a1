package dev.portfwd.compile;

import dev.portfwd.model.Balance;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import dev.portfwd.model.ProxyProtocol;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a validated table into the {@link DesiredState} every kernel backend installs.
 *
 * <p>Pure: no I/O, no knowledge of nft or iptables. Each table line becomes one {@link
 * CompiledForward} per protocol. Lines the kernel cannot serve are collected, never half compiled:
 * an external address and backend of different IP versions (only the relay bridges IPv6 to IPv4),
 * {@code from=} blocks of the other IP version, and PROXY protocol (a kernel NAT rule cannot add a
 * header).
 */
public final class Compiler {

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
      if (forward.pool().balanceInEffect() != Balance.FAILOVER
          && forward.pool().members().size() > 1) {
        problems.add(
            where(table, forward)
                + "balance="
                + forward.pool().balanceInEffect().keyword()
                + " over several backends is not yet installed by the kernel backends; use"
                + " balance=failover");
        continue;
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
                forward.snat()));
      }
    }
    if (!problems.isEmpty()) {
      throw new CompileException(problems);
    }
    return new DesiredState(compiled);
  }

  private static String where(ForwardTable table, Forward forward) {
    return table.source() + ":" + forward.line() + ": error: ";
  }
}
