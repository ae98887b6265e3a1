package dev.portfwd.doctor;

import dev.portfwd.model.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything doctor learned about the gateway, gathered once by {@link HostInspector} and then only
 * read by the checks. Plain data, so unit tests build it by hand.
 *
 * @param sysctls values by key ({@code net.ipv4.ip_forward} → {@code 1}); missing keys were not
 *     readable
 * @param routes how each backend is routed, by backend address
 * @param firewall the chains of every other tool (not portfwd's)
 * @param conntrack the TCP and UDP conntrack entries, when conntrack could be read
 * @param gaps what could not be inspected and why ({@code conntrack is not installed}), reported as
 *     info
 */
public record HostFacts(
    Map<String, String> sysctls,
    List<HostInterface> interfaces,
    Map<InetAddress, RouteFact> routes,
    List<ListeningSocket> listeners,
    Firewall firewall,
    List<ConntrackEntry> conntrack,
    InstalledState installed,
    List<String> gaps) {

  public HostFacts {
    sysctls = Map.copyOf(sysctls);
    interfaces = List.copyOf(interfaces);
    routes = Map.copyOf(routes);
    listeners = List.copyOf(listeners);
    conntrack = List.copyOf(conntrack);
    gaps = List.copyOf(gaps);
  }

  public Optional<String> sysctl(String key) {
    return Optional.ofNullable(sysctls.get(key));
  }

  /** The rp_filter key of {@code iface}; sysctl writes dots in interface names as slashes. */
  static String rpFilterKey(String iface) {
    return "net.ipv4.conf." + iface.replace('.', '/') + ".rp_filter";
  }

  /** True when {@code address} is one of the gateway's own addresses. */
  public boolean isLocal(InetAddress address) {
    return interfaces.stream()
        .flatMap(i -> i.addresses().stream())
        .anyMatch(a -> a.address().equals(address));
  }

  /** The interface whose subnet holds {@code address} (a directly connected host), if any. */
  public Optional<HostInterface> connectedInterface(InetAddress address) {
    for (HostInterface iface : interfaces) {
      for (HostInterface.Address a : iface.addresses()) {
        if (!a.address().isLoopbackAddress()
            && new Cidr(a.address(), a.prefixLength()).contains(address)) {
          return Optional.of(iface);
        }
      }
    }
    return Optional.empty();
  }
}
