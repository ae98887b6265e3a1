package dev.portfwd.ha;

import dev.portfwd.model.Addresses;
import java.net.Inet4Address;
import java.util.Objects;

/**
 * A gateway's own address on one link and the interface that carries it: {@code 203.0.113.2%wan} in
 * an HA description.
 */
public record HaEndpoint(String interfaceName, Inet4Address address) {

  public HaEndpoint {
    Objects.requireNonNull(interfaceName, "interfaceName");
    Objects.requireNonNull(address, "address");
  }

  /** {@code 203.0.113.2%wan}, as the description writes it. */
  @Override
  public String toString() {
    return Addresses.format(address) + "%" + interfaceName;
  }
}
