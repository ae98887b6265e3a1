package dev.portfwd.doctor;

import dev.portfwd.host.ForwardingSysctls;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** IP forwarding switched off for a family that some forward uses. */
final class ForwardingSysctlCheck implements Check {

  static final String ID = "ip-forwarding";

  /** The package's inert IPv4 drop-in (packaging/systemd), linked into /etc/sysctl.d to use it. */
  static final String SHIPPED_DROP_IN = "/usr/share/portfwd/90-portfwd-forwarding.conf";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    List<Finding> findings = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      List<Forward> users = table.forwards().stream().filter(f -> f.family() == family).toList();
      String key = ForwardingSysctls.keyFor(family);
      Optional<String> value = facts.sysctl(key);
      if (users.isEmpty() || value.isEmpty() || value.get().equals("1")) {
        continue;
      }
      String name = family == IpFamily.IPV4 ? "IPv4" : "IPv6";
      findings.add(
          Finding.host(
              FindingSeverity.ERROR,
              ID,
              name
                  + " forwarding is off ("
                  + key
                  + " = "
                  + value.get()
                  + "); "
                  + Texts.forwardsOnLines(users)
                  + " need it",
              "the kernel rewrites the destination to the backend and then refuses to route the packet on:"
                  + " it is dropped without a word",
              Texts.sysctlNow(List.of(key + "=1")),
              Texts.sysctlDropIn(
                      "90-portfwd-" + name.toLowerCase(Locale.ROOT) + "-forwarding.conf",
                      List.of(key + "=1"))
                  + (family == IpFamily.IPV4
                      ? " (or, with the Debian package: ln -s "
                          + SHIPPED_DROP_IN
                          + " /etc/sysctl.d/)"
                      : " (with it on, Linux ignores router advertisements unless accept_ra=2)")
                  + "; 'portfwd apply' switches it on unless given --no-sysctl"));
    }
    return findings;
  }
}
