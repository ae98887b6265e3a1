package dev.portfwd.doctor;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.table.TableParser;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds made-up {@link HostFacts} for check tests. Starts as the healthy reference gateway:
 * forwarding on, wan 203.0.113.1/24 and vpn 192.0.2.1/24, backends routed out of vpn, nothing else
 * installed but portfwd's own table.
 */
final class Facts {

  final Map<String, String> sysctls =
      new HashMap<>(
          Map.of(
              "net.ipv4.ip_forward", "1",
              "net.ipv6.conf.all.forwarding", "1",
              "net.ipv4.conf.all.rp_filter", "0",
              "net.ipv4.conf.default.rp_filter", "0",
              "net.ipv4.conf.wan.rp_filter", "0",
              "net.ipv4.conf.vpn.rp_filter", "0"));
  final List<HostInterface> interfaces =
      new ArrayList<>(
          List.of(
              iface("lo", "127.0.0.1/8"),
              iface("wan", "203.0.113.1/24", "2001:db8:1::1/64"),
              iface("vpn", "192.0.2.1/24", "2001:db8:2::1/64")));
  final Map<InetAddress, RouteFact> routes = new LinkedHashMap<>();
  final List<ListeningSocket> listeners = new ArrayList<>();
  final List<FirewallChain> chains = new ArrayList<>();
  final List<ConntrackEntry> conntrack = new ArrayList<>();
  InstalledState installed = new InstalledState(true, true, Optional.of(List.of()), "fake");
  final List<String> gaps = new ArrayList<>();

  /** The healthy facts for {@code table}: every backend routed out of vpn. */
  static Facts healthy(ForwardTable table) {
    Facts facts = new Facts();
    for (Forward forward : table.forwards()) {
      boolean v4 = forward.family() == IpFamily.IPV4;
      facts.routes.put(
          forward.backend(),
          new RouteFact(
              forward.backend(),
              "unicast",
              Optional.of("vpn"),
              Optional.empty(),
              Addresses.parse(v4 ? "192.0.2.1" : "2001:db8:2::1"),
              Optional.of(v4 ? "192.0.2.0/24" : "2001:db8:2::/64"),
              ""));
    }
    return facts;
  }

  HostFacts build() {
    return new HostFacts(
        sysctls, interfaces, routes, listeners, new Firewall(chains), conntrack, installed, gaps);
  }

  /**
   * A unicast route to {@code destination} out of {@code device} through the router {@code via},
   * from {@code source}, found under the route to {@code prefix}.
   */
  static RouteFact routeVia(
      String destination, String device, String via, String source, String prefix) {
    return new RouteFact(
        ip(destination),
        "unicast",
        Optional.of(device),
        Optional.of(ip(via)),
        Optional.of(ip(source)),
        Optional.of(prefix),
        "");
  }

  static ForwardTable table(String text) {
    var result = TableParser.parse("ports.txt", text);
    if (result.hasErrors()) {
      throw new IllegalArgumentException(result.diagnostics().toString());
    }
    return result.table();
  }

  static InetAddress ip(String literal) {
    return Addresses.parse(literal).orElseThrow();
  }

  static HostInterface iface(String name, String... cidrs) {
    List<HostInterface.Address> addresses = new ArrayList<>();
    for (String cidr : cidrs) {
      String[] parts = cidr.split("/");
      addresses.add(new HostInterface.Address(ip(parts[0]), Integer.parseInt(parts[1])));
    }
    return new HostInterface(name, true, addresses);
  }

  /** The chains of an {@code nft -j list ruleset} dump written as nft JSON objects. */
  static List<FirewallChain> nft(String... objects) {
    return NftRulesetParser.parse("{\"nftables\": [" + String.join(",", objects) + "]}", Set.of());
  }

  /** The chains of an {@code iptables-save} dump. */
  static List<FirewallChain> iptables(String save) {
    return IptablesSaveParser.parse(save, "iptables", IpFamily.IPV4).chains();
  }
}
