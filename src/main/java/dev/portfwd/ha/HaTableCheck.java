package dev.portfwd.ha;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a table's forwards survive a failover of the pair: a forward that masquerades sends its
 * backends' replies to this gateway's own VPN-side address, which dies with it; only {@code snat=}
 * of the pair's virtual VPN-side address sends them to whichever gateway is active.
 */
public final class HaTableCheck {

  private HaTableCheck() {}

  /** One message per IPv4 forward that would lose its connections on failover; empty when none. */
  public static List<String> problems(ForwardTable table, HaDescription pair) {
    String vip = Addresses.format(pair.virtualVpn().address());
    List<String> problems = new ArrayList<>();
    for (Forward f : table.forwards()) {
      if (f.family() != IpFamily.IPV4 || !f.masquerade()) {
        continue; // masquerade=no: the backend routes back through the pair's own route
      }
      String where = table.source() + ":" + f.line() + ": ";
      if (f.snat().isEmpty()) {
        problems.add(
            where
                + "forward "
                + f.externalText()
                + " masquerades to this gateway's own VPN-side address, so its connections end"
                + " with a failover; add snat="
                + vip);
      } else if (!f.snat().get().equals(pair.virtualVpn().address())) {
        problems.add(
            where
                + "forward "
                + f.externalText()
                + " has snat="
                + Addresses.format(f.snat().get())
                + ", not the pair's virtual VPN-side address; expected snat="
                + vip);
      }
    }
    return problems;
  }
}
