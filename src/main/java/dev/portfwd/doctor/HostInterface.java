package dev.portfwd.doctor;

import java.net.InetAddress;
import java.util.List;

/** A network interface of the gateway with its addresses and their prefix lengths. */
public record HostInterface(String name, boolean up, List<Address> addresses) {

  public HostInterface {
    addresses = List.copyOf(addresses);
  }

  /** An address on the interface, e.g. 192.0.2.1/24. */
  public record Address(InetAddress address, int prefixLength) {}
}
