package dev.portfwd.doctor;

import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.util.List;
import java.util.Set;

/**
 * One condition of a firewall rule, in a form shared by nftables and iptables rules. Anything
 * doctor does not model is {@link Opaque} and matches {@link Tri#MAYBE}.
 */
sealed interface Match {

  /** Whether this condition holds for {@code packet}. */
  Tri test(Packet packet);

  /** {@code meta l4proto tcp}, {@code -p udp}. */
  record L4Proto(Set<Protocol> protocols, boolean negated) implements Match {
    @Override
    public Tri test(Packet packet) {
      return apply(Tri.of(protocols.contains(packet.protocol())), negated);
    }
  }

  /** {@code tcp dport 80}, {@code --dport 80:90}, {@code --dports 80,443}. */
  record DestPort(List<PortRange> ports, boolean negated) implements Match {
    @Override
    public Tri test(Packet packet) {
      return apply(Tri.of(ports.stream().anyMatch(r -> r.contains(packet.port()))), negated);
    }
  }

  /** {@code ip daddr 192.0.2.0/24}, {@code -d 192.0.2.2}. */
  record DestAddress(List<Cidr> blocks, boolean negated) implements Match {
    @Override
    public Tri test(Packet packet) {
      if (packet.destination().isEmpty()) {
        return Tri.MAYBE;
      }
      return apply(
          Tri.of(blocks.stream().anyMatch(b -> b.contains(packet.destination().get()))), negated);
    }
  }

  /** {@code meta nfproto ipv4}, or a rule in an {@code ip}/{@code ip6} table. */
  record Family(IpFamily family) implements Match {
    @Override
    public Tri test(Packet packet) {
      return Tri.of(packet.family() == family);
    }
  }

  /**
   * {@code ct state established,related}, {@code --ctstate NEW,DNAT}: the first packet of a
   * connection is {@code new}; iptables' conntrack match also lists {@code dnat} among states.
   */
  record CtState(Set<String> states, boolean negated) implements Match {
    @Override
    public Tri test(Packet packet) {
      return apply(
          Tri.of(states.contains("new") || (states.contains("dnat") && packet.dnat())), negated);
    }
  }

  /** {@code ct status dnat}, {@code --ctstate DNAT}. */
  record CtDnat(boolean negated) implements Match {
    @Override
    public Tri test(Packet packet) {
      return apply(Tri.of(packet.dnat()), negated);
    }
  }

  /** {@code oifname "vpn"}, {@code -o vpn}; a trailing {@code +} or {@code *} is a wildcard. */
  record OutInterface(String name, boolean negated) implements Match {
    @Override
    public Tri test(Packet packet) {
      if (packet.outInterface().isEmpty()) {
        return Tri.MAYBE;
      }
      String actual = packet.outInterface().get();
      boolean wildcard = name.endsWith("+") || name.endsWith("*");
      boolean matches =
          wildcard ? actual.startsWith(name.substring(0, name.length() - 1)) : actual.equals(name);
      return apply(Tri.of(matches), negated);
    }
  }

  /** Anything else: the input interface, the source, marks, modules doctor does not model. */
  record Opaque(String text) implements Match {
    @Override
    public Tri test(Packet packet) {
      return Tri.MAYBE;
    }
  }

  private static Tri apply(Tri value, boolean negated) {
    return negated ? value.not() : value;
  }
}
