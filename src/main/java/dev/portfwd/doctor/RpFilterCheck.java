package dev.portfwd.doctor;

import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Strict reverse-path filtering ({@code rp_filter=1}) on an interface forwarded traffic crosses.
 * The kernel uses the larger of the {@code all} value and the interface's own, so either can make
 * it strict. Strict mode drops a packet whose source is routed out of another interface than it
 * came in on, which is exactly what a multi-homed gateway, policy routing or a VPN carrying client
 * addresses produces. Doctor cannot see the clients' paths, so this is a warning; loose mode (2)
 * keeps the anti-spoofing check and allows asymmetric paths.
 */
final class RpFilterCheck implements Check {

  static final String ID = "rp-filter";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    List<Forward> v4 = table.forwards().stream().filter(f -> f.family() == IpFamily.IPV4).toList();
    if (v4.isEmpty()) {
      return List.of();
    }
    int all = value(facts, "net.ipv4.conf.all.rp_filter");
    List<String> strict = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>();
    if (all == 1) {
      keys.add("net.ipv4.conf.all.rp_filter");
    }
    for (HostInterface iface : facts.interfaces()) {
      boolean ipv4 =
          iface.addresses().stream()
              .anyMatch(
                  a ->
                      IpFamily.of(a.address()) == IpFamily.IPV4
                          && !a.address().isLoopbackAddress());
      if (!iface.up() || !ipv4) {
        continue;
      }
      String key = HostFacts.rpFilterKey(iface.name());
      int own = value(facts, key);
      if (Math.max(all, own) == 1) {
        strict.add(iface.name());
        if (own == 1) {
          keys.add(key);
        }
      }
    }
    if (strict.isEmpty()) {
      return List.of();
    }
    List<String> assignments = keys.stream().map(k -> k + "=2").toList();
    return List.of(
        Finding.host(
            FindingSeverity.WARNING,
            ID,
            "strict reverse-path filtering (rp_filter=1) on "
                + String.join(", ", strict)
                + (all == 1 ? " (set by net.ipv4.conf.all.rp_filter=1)" : "")
                + "; it applies to "
                + Texts.forwardsOnLines(v4),
            "a forwarded packet whose source the gateway would route out of another interface than it arrived on"
                + " (a second uplink, policy routing, clients reached through the VPN) is dropped silently",
            Texts.sysctlNow(assignments),
            "loose mode (2) still drops sources the gateway cannot route at all; "
                + Texts.sysctlDropIn("90-portfwd-rp-filter.conf", assignments)));
  }

  private static int value(HostFacts facts, String key) {
    try {
      return Integer.parseInt(facts.sysctl(key).orElse("0").strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
