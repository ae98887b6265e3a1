package dev.portfwd.relay;

import dev.portfwd.model.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Helpers for socket addresses as the relay sees them on dual-stack sockets. */
final class DualStackAddresses {

  private static final byte[] V4_MAPPED_PREFIX = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff
  };

  private DualStackAddresses() {}

  /**
   * The IPv4 address behind an IPv4-mapped IPv6 one ({@code ::ffff:203.0.113.10}), else {@code
   * address}. A dual-stack socket may report IPv4 clients either way; {@code from=} and PROXY
   * headers must see the plain IPv4 address.
   */
  static InetAddress unmap(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] bytes = address.getAddress();
      if (Arrays.equals(bytes, 0, 12, V4_MAPPED_PREFIX, 0, 12)) {
        try {
          return InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
        } catch (UnknownHostException impossible) {
          throw new IllegalStateException(impossible);
        }
      }
    }
    return address;
  }

  /**
   * What the per-source limits count a client as: its IPv4 address, or its IPv6 /64. One host is
   * routinely handed a whole /64 and may pick a new address from it for each connection, so
   * counting single IPv6 addresses would not hold it to the limit.
   */
  static InetAddress sourceKey(InetAddress address) {
    InetAddress plain = unmap(address);
    if (!(plain instanceof Inet6Address)) {
      return plain;
    }
    byte[] bytes = plain.getAddress();
    Arrays.fill(bytes, 8, 16, (byte) 0);
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  static InetSocketAddress unmap(SocketAddress address) {
    InetSocketAddress inet = (InetSocketAddress) address;
    InetAddress plain = unmap(inet.getAddress());
    return plain == inet.getAddress() ? inet : new InetSocketAddress(plain, inet.getPort());
  }

  /** {@code 203.0.113.10:40000} or {@code [2001:db8::10]:40000}. */
  static String format(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return Addresses.withPort(unmap(inet.getAddress()), inet.getPort());
    }
    return String.valueOf(address);
  }
}
