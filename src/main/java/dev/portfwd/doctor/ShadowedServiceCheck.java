package dev.portfwd.doctor;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A forward whose external port is a port the gateway itself serves: from outside, the service
 * becomes unreachable (DNAT runs before local delivery). Forwarding the SSH port locks the
 * administrator out, so that is an error; any other service is a warning.
 */
final class ShadowedServiceCheck implements Check {

  static final String ID = "shadowed-service";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    List<Finding> findings = new ArrayList<>();
    for (Forward forward : table.forwards()) {
      for (ListeningSocket listener : facts.listeners()) {
        if (!shadows(forward, listener)) {
          continue;
        }
        boolean ssh =
            listener.process().map(p -> p.equals("sshd") || p.startsWith("sshd")).orElse(false)
                || (listener.port() == 22 && listener.protocol() == Protocol.TCP);
        String where =
            listener
                .address()
                .filter(a -> !a.isAnyLocalAddress())
                .map(Addresses::format)
                .orElse("every address");
        findings.add(
            Finding.about(
                forward,
                ssh ? FindingSeverity.ERROR : FindingSeverity.WARNING,
                ID,
                "the gateway itself serves "
                    + listener.port()
                    + "/"
                    + listener.protocol().keyword()
                    + " on "
                    + where
                    + " ("
                    + listener.describe()
                    + "), and this forward takes that port",
                ssh
                    ? "connections to that port from outside go to the backend instead: you lose SSH access to the"
                        + " gateway once the forward is applied"
                    : "connections to that port from outside go to the backend; the gateway's own service becomes"
                        + " unreachable from outside (intended only if it is meant to move)",
                ssh || listener.pid().isEmpty() ? "" : "kill " + listener.pid().get(),
                "or give the forward another external port on line "
                    + forward.line()
                    + " of "
                    + table.source()));
      }
    }
    return findings;
  }

  private static boolean shadows(Forward forward, ListeningSocket listener) {
    if (!forward.carries(listener.protocol())
        || !forward.externalPorts().contains(listener.port())
        || listener.isLoopbackOnly()) {
      return false;
    }
    if (listener.address().isEmpty()) {
      return true;
    }
    InetAddress address = listener.address().get();
    if (address.isAnyLocalAddress()) {
      // [::] usually accepts IPv4 too (dual-stack socket); 0.0.0.0 is IPv4 only.
      return IpFamily.of(address) == IpFamily.IPV6 || forward.family() == IpFamily.IPV4;
    }
    if (IpFamily.of(address) != forward.family()) {
      return false;
    }
    // Without an external address the forward takes the port on every address of the gateway.
    return forward.externalAddress().map(a -> a.equals(listener.address().get())).orElse(true);
  }
}
