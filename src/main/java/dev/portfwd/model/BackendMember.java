package dev.portfwd.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One concrete backend of a forward: an address, and the name the table gave for it (the address
 * itself, as text, when the table wrote an address).
 */
public record BackendMember(String name, InetAddress address) {

  public BackendMember {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
  }

  /** A backend the table wrote as an address literal. */
  public static BackendMember literal(InetAddress address) {
    return new BackendMember(Addresses.format(address), address);
  }

  /** True when the table named this backend by a host name rather than its address. */
  public boolean named() {
    return !name.equals(Addresses.format(address));
  }
}
