package dev.portfwd.model;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Parses and prints IP address literals without ever resolving a name: {@code
 * InetAddress.getByName} would silently turn a typo into a DNS lookup.
 */
public final class Addresses {

  private Addresses() {}

  /** The address written as {@code literal} (IPv4 dotted quad or IPv6), or empty if it is none. */
  public static Optional<InetAddress> parse(String literal) {
    if (!NetUtil.isValidIpV4Address(literal) && !NetUtil.isValidIpV6Address(literal)) {
      return Optional.empty();
    }
    // Zone ids (fe80::1%eth0) are valid for NetUtil but meaningless in a forwarding table.
    if (literal.indexOf('%') >= 0) {
      return Optional.empty();
    }
    return Optional.ofNullable(NetUtil.createInetAddressFromIpAddressString(literal));
  }

  /** The canonical text of {@code address}: {@code 192.0.2.1}, {@code 2001:db8::1} (RFC 5952). */
  public static String format(InetAddress address) {
    return NetUtil.toAddressString(address);
  }

  /** {@code 192.0.2.1:80} or {@code [2001:db8::1]:80}. */
  public static String withPort(InetAddress address, Object port) {
    return address instanceof Inet6Address
        ? "[" + format(address) + "]:" + port
        : format(address) + ":" + port;
  }
}
