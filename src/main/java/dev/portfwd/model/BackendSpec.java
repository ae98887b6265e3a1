package dev.portfwd.model;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a table's INT-IP column as written: an address literal, or a host name that the
 * service resolves (and re-resolves as its DNS record's time to live runs out).
 *
 * @param text the name, or the address in its canonical text
 * @param address present for an address literal, empty for a name
 */
public record BackendSpec(String text, Optional<InetAddress> address) {

  public BackendSpec {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(address, "address");
  }

  public static BackendSpec of(InetAddress address) {
    return new BackendSpec(Addresses.format(address), Optional.of(address));
  }

  public static BackendSpec name(String name) {
    return new BackendSpec(name, Optional.empty());
  }

  public boolean isName() {
    return address.isEmpty();
  }
}
