package dev.portfwd.doctor;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the gateway reaches each backend: no route at all, a route out of another interface than the
 * one whose subnet holds the backend, or only the default route (likely the uplink, not the VPN). A
 * healthy path is reported as information, with the gateway's source address on it.
 */
final class BackendRouteCheck implements Check {

  static final String ID = "backend-route";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    List<Finding> findings = new ArrayList<>();
    for (Forward forward : table.forwards()) {
      RouteFact route = facts.routes().get(forward.backend());
      if (route != null) {
        findings.add(judge(forward, route, facts));
      }
    }
    return findings;
  }

  private static Finding judge(Forward forward, RouteFact route, HostFacts facts) {
    String backend = Addresses.format(forward.backend());
    String ip = forward.family() == IpFamily.IPV4 ? "ip" : "ip -6";
    Optional<HostInterface> connected = facts.connectedInterface(forward.backend());
    if (!route.exists()) {
      String fix =
          connected
              .map(i -> ip + " route add " + subnet(i, forward.backend()) + " dev " + i.name())
              .orElse("");
      return Finding.about(
          forward,
          FindingSeverity.ERROR,
          ID,
          "no route to backend "
              + backend
              + " ("
              + (route.error().isBlank() ? route.type() : route.error())
              + ")",
          "after DNAT the kernel cannot send the packet anywhere and drops it",
          fix,
          connected.isPresent()
              ? "interface "
                  + connected.get().name()
                  + " holds the backend's subnet but its route is missing"
              : "add a route through the VPN or LAN that reaches it: "
                  + ip
                  + " route add "
                  + backend
                  + " via PEER dev VPN-INTERFACE");
    }
    if (route.type().equals("local")) {
      return Finding.about(
          forward,
          FindingSeverity.INFO,
          ID,
          "backend " + backend + " is this gateway itself",
          "nothing is forwarded: the kernel delivers locally",
          "",
          "");
    }
    String path = describe(route);
    if (connected.isPresent() && !route.device().equals(Optional.of(connected.get().name()))) {
      HostInterface iface = connected.get();
      String fix =
          route
              .prefix()
              .filter(p -> !p.equals("default"))
              .map(
                  p ->
                      ip
                          + " route del "
                          + p
                          + route.via().map(v -> " via " + Addresses.format(v)).orElse("")
                          + route.device().map(d -> " dev " + d).orElse(""))
              .orElse(
                  ip + " route add " + subnet(iface, forward.backend()) + " dev " + iface.name());
      return Finding.about(
          forward,
          FindingSeverity.ERROR,
          ID,
          "backend "
              + backend
              + " lies in the subnet of interface "
              + iface.name()
              + " but is routed "
              + path,
          "forwarded packets leave through the wrong interface, where the backend is not: they are lost",
          fix,
          route.prefix().map(p -> "the route that wins is " + p).orElse(""));
    }
    if (route.isDefault() && connected.isEmpty()) {
      return Finding.about(
          forward,
          FindingSeverity.WARNING,
          ID,
          "backend " + backend + " is reached only through the default route (" + path + ")",
          "the default route usually leads to the uplink, not into the VPN: if the backend sits behind the"
              + " VPN, its packets leave the wrong way and are lost",
          "",
          "if the backend is behind a VPN, route it there: "
              + ip
              + " route add "
              + backend
              + " via PEER dev VPN-INTERFACE");
    }
    return Finding.about(
        forward, FindingSeverity.INFO, ID, "backend " + backend + " is routed " + path, "", "", "");
  }

  /** {@code out of vpn via 192.0.2.254 (route 192.0.2.0/24), source 192.0.2.1}. */
  private static String describe(RouteFact route) {
    return "out of "
        + route.device().orElse("?")
        + route.via().map(v -> " via " + Addresses.format(v)).orElse("")
        + route.prefix().map(p -> " (route " + p + ")").orElse("")
        + route.source().map(s -> ", gateway source address " + Addresses.format(s)).orElse("");
  }

  /** The subnet of {@code iface} that holds {@code address}, e.g. {@code 192.0.2.0/24}. */
  private static String subnet(HostInterface iface, InetAddress address) {
    for (HostInterface.Address a : iface.addresses()) {
      Cidr cidr = new Cidr(a.address(), a.prefixLength());
      if (cidr.contains(address)) {
        return cidr + " src " + Addresses.format(a.address());
      }
    }
    return Addresses.format(address);
  }
}
