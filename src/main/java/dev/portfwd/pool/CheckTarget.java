package dev.portfwd.pool;

import dev.portfwd.model.Addresses;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One thing the service checks: a TCP connection to {@code address} at {@code port}. Forwards that
 * share a backend and check port share its health.
 */
public record CheckTarget(InetAddress address, int port) {

  public CheckTarget {
    Objects.requireNonNull(address, "address");
  }

  @Override
  public String toString() {
    return Addresses.withPort(address, port);
  }
}
