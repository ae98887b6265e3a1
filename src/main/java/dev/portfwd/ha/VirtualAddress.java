package dev.portfwd.ha;

import dev.portfwd.model.Addresses;
import java.net.Inet4Address;

/** An address VRRP moves to the active gateway, with the prefix length of its link. */
public record VirtualAddress(Inet4Address address, int prefixLength) {

  public VirtualAddress {
    if (prefixLength < 1 || prefixLength > 32) {
      throw new IllegalArgumentException("prefix length 1-32: " + prefixLength);
    }
  }

  /** {@code 203.0.113.1/24}. */
  @Override
  public String toString() {
    return Addresses.format(address) + "/" + prefixLength;
  }
}
