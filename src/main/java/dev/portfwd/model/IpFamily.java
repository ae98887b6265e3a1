package dev.portfwd.model;

import java.net.Inet4Address;
import java.net.InetAddress;

/** The IP version of an address: decides which kernel tables and maps a forward lands in. */
public enum IpFamily {
  IPV4,
  IPV6;

  /** The family of {@code address}. */
  public static IpFamily of(InetAddress address) {
    return address instanceof Inet4Address ? IPV4 : IPV6;
  }
}
