package dev.portfwd.ha;

import dev.portfwd.model.Addresses;
import java.math.BigDecimal;

/**
 * {@code keepalived.conf} for one gateway: two VRRP instances (the public and the VPN link) in one
 * sync group, so both virtual addresses always move together, and the group's notify hooks that
 * drive conntrackd. Both gateways start as BACKUP with {@code nopreempt}: a gateway that comes back
 * stays backup until the active one fails, so it never takes connections away before conntrackd has
 * copied their state to it. Adverts go unicast to the peer's own address on each link, which works
 * where providers filter multicast and ignores VRRP from anyone else.
 */
final class KeepalivedConf {

  private KeepalivedConf() {}

  static String render(HaDescription pair, HaGateway self, HaPaths paths, String header) {
    HaGateway peer = pair.peerOf(self);
    StringBuilder c = new StringBuilder(2048);
    c.append(header);
    c.append("global_defs {\n");
    c.append("    router_id ").append(self.name()).append('\n');
    // The hooks run conntrackd as root; keepalived refuses scripts others could change.
    c.append("    script_user root\n");
    c.append("    enable_script_security\n");
    if (pair.vrrpVersion3()) {
      c.append("    vrrp_version 3\n"); // centisecond adverts; VRRPv3 has no authentication
    }
    c.append("}\n\n");
    c.append("vrrp_sync_group portfwd {\n");
    c.append("    group {\n        portfwd_public\n        portfwd_vpn\n    }\n");
    for (String[] hook :
        new String[][] {
          {"notify_master", "primary"}, {"notify_backup", "backup"}, {"notify_fault", "fault"}
        }) {
      c.append("    ")
          .append(hook[0])
          .append(" \"")
          .append(paths.notifyScript())
          .append(' ')
          .append(hook[1])
          .append("\"\n");
    }
    c.append("}\n");
    instance(
        c,
        pair,
        "portfwd_public",
        self.publicSide(),
        peer.publicSide(),
        pair.virtualPublic(),
        self.priority());
    instance(
        c, pair, "portfwd_vpn", self.vpnSide(), peer.vpnSide(), pair.virtualVpn(), self.priority());
    return c.toString();
  }

  private static void instance(
      StringBuilder c,
      HaDescription pair,
      String name,
      HaEndpoint own,
      HaEndpoint peer,
      VirtualAddress virtual,
      int priority) {
    c.append("\nvrrp_instance ").append(name).append(" {\n");
    c.append("    state BACKUP\n");
    c.append("    nopreempt\n");
    c.append("    interface ").append(own.interfaceName()).append('\n');
    c.append("    virtual_router_id ").append(pair.routerId()).append('\n');
    c.append("    priority ").append(priority).append('\n');
    c.append("    advert_int ").append(seconds(pair)).append('\n');
    c.append("    unicast_src_ip ").append(Addresses.format(own.address())).append('\n');
    c.append("    unicast_peer {\n        ")
        .append(Addresses.format(peer.address()))
        .append("\n    }\n");
    if (!pair.vrrpVersion3()) {
      c.append("    authentication {\n        auth_type PASS\n        auth_pass ")
          .append(pair.secret())
          .append("\n    }\n");
    }
    c.append("    virtual_ipaddress {\n        ")
        .append(virtual)
        .append(" dev ")
        .append(own.interfaceName())
        .append("\n    }\n");
    c.append("}\n");
  }

  /** {@code 1}, {@code 0.1}: keepalived's advert_int in seconds. */
  private static String seconds(HaDescription pair) {
    return BigDecimal.valueOf(pair.advertInterval().toMillis(), 3)
        .stripTrailingZeros()
        .toPlainString();
  }
}
