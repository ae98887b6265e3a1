package dev.portfwd.nft;

import dev.portfwd.model.IpFamily;
import java.util.ArrayList;
import java.util.List;

/**
 * One DNAT map of portfwd's table. Forwards are sorted into maps by shape, so that every packet
 * costs a fixed number of hash (or interval) lookups however many forwards exist:
 *
 * <ul>
 *   <li>{@code named}: the key starts with the destination address ({@code 198.51.100.7:443}
 *       lines); otherwise the rule first requires {@code fib daddr type local}.
 *   <li>{@code restricted}: the key holds the source address as an interval ({@code from=}), so
 *       only admitted clients find an element; unrestricted forwards never pay for it.
 *   <li>{@code range}: same-port ranges as interval keys whose value is the backend address only,
 *       so the kernel keeps the destination port. Shifted ranges have no kernel offset mapping and
 *       are expanded to one exact element per port instead.
 * </ul>
 *
 * Names avoid nft keywords ({@code fwd} is one) and carry the IP version, since a map's value type
 * is either IPv4 or IPv6.
 */
record MapSpec(IpFamily family, boolean named, boolean restricted, boolean range) {

  /** Every DNAT map of {@code family}, in the order the translate chain consults them. */
  static List<MapSpec> all(IpFamily family) {
    List<MapSpec> specs = new ArrayList<>();
    for (boolean named : new boolean[] {true, false}) {
      for (boolean restricted : new boolean[] {true, false}) {
        for (boolean range : new boolean[] {false, true}) {
          specs.add(new MapSpec(family, named, restricted, range));
        }
      }
    }
    return specs;
  }

  static List<MapSpec> all() {
    List<MapSpec> specs = new ArrayList<>(all(IpFamily.IPV4));
    specs.addAll(all(IpFamily.IPV6));
    return specs;
  }

  /** The spec whose {@link #name()} is {@code name}, or null for portfwd's other sets. */
  static MapSpec byName(String name) {
    return all().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  String name() {
    return NAMES[
        (family == IpFamily.IPV4 ? 0 : 8)
            + (named ? 4 : 0)
            + (restricted ? 2 : 0)
            + (range ? 1 : 0)];
  }

  /** {@link #name()} of every spec, spelled once: encoding asks for a name per forward. */
  private static final String[] NAMES = new String[16];

  static {
    for (int i = 0; i < NAMES.length; i++) {
      NAMES[i] =
          "dnat"
              + suffix(i < 8 ? IpFamily.IPV4 : IpFamily.IPV6)
              + ((i & 4) != 0 ? "_addr" : "")
              + ((i & 2) != 0 ? "_from" : "")
              + ((i & 1) != 0 ? "_range" : "");
    }
  }

  /** Kernel sets need interval flags for any key part that is a range or a prefix. */
  boolean interval() {
    return restricted || range;
  }

  String keyType() {
    String addr = addrType(family);
    return (named ? addr + " . " : "")
        + (restricted ? addr + " . " : "")
        + "inet_proto . inet_service";
  }

  String valueType() {
    return range ? addrType(family) : addrType(family) + " . inet_service";
  }

  /** The packet fields matching {@link #keyType()}. */
  String keyExpression() {
    String ip = ipKeyword(family);
    return (named ? ip + " daddr . " : "")
        + (restricted ? ip + " saddr . " : "")
        + "meta l4proto . th dport";
  }

  static String suffix(IpFamily family) {
    return family == IpFamily.IPV4 ? "4" : "6";
  }

  static String addrType(IpFamily family) {
    return family == IpFamily.IPV4 ? "ipv4_addr" : "ipv6_addr";
  }

  static String ipKeyword(IpFamily family) {
    return family == IpFamily.IPV4 ? "ip" : "ip6";
  }

  static String nfproto(IpFamily family) {
    return family == IpFamily.IPV4 ? "ipv4" : "ipv6";
  }

  /** The set of (external address,) protocol and ports that only admitted sources may use. */
  static String refuseSet(IpFamily family, boolean named) {
    return "refuse" + suffix(family) + (named ? "_addr" : "");
  }

  /** The map of backend address, protocol and ports to the source address of {@code snat=}. */
  static String snatMap(IpFamily family) {
    return "snat" + suffix(family);
  }

  /** The set of backend address, protocol and ports whose connections are masqueraded. */
  static String masqueradeSet(IpFamily family) {
    return "masq" + suffix(family);
  }
}
