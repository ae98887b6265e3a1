package dev.portfwd.relay;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.Optional;

/**
 * One socket the relay listens on: a protocol, a port and the address a table line names (empty:
 * every address of the host, both IP versions). Two tables that want the same key share the socket
 * across a reload.
 */
public record ListenerKey(Protocol protocol, Optional<InetAddress> address, int port) {

  /** {@code tcp 13102} or {@code udp 198.51.100.7:53}, for log lines and errors. */
  @Override
  public String toString() {
    return protocol.keyword()
        + " "
        + address.map(a -> Addresses.withPort(a, port)).orElse(Integer.toString(port));
  }
}
