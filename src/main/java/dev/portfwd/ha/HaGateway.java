package dev.portfwd.ha;

import java.util.Objects;

/**
 * One gateway of an HA pair: its name, VRRP priority and own addresses on the public, VPN and sync
 * links.
 *
 * @param line the line of the description that declares it, for messages
 */
public record HaGateway(
    String name,
    int priority,
    HaEndpoint publicSide,
    HaEndpoint vpnSide,
    HaEndpoint sync,
    int line) {

  public HaGateway {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(publicSide, "publicSide");
    Objects.requireNonNull(vpnSide, "vpnSide");
    Objects.requireNonNull(sync, "sync");
    if (priority < 1 || priority > 254) {
      throw new IllegalArgumentException("VRRP priorities are 1-254: " + priority);
    }
  }
}
