package dev.portfwd.model;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Parses and prints IP address literals without ever resolving a name: {@code
 * InetAddress.getByName} would silently turn a typo into a DNS lookup.
 *
 * <p>Plain dotted quads, the bulk of every table, are handled here; everything else goes to
 * Netty's {@link NetUtil}. Loading NetUtil costs a cold start tens of milliseconds (it sets up
 * Netty's platform probing and logging), which a 10,000-line IPv4 table should not pay.
 */
public final class Addresses {

  private Addresses() {}

  /** The address written as {@code literal} (IPv4 dotted quad or IPv6), or empty if it is none. */
  public static Optional<InetAddress> parse(String literal) {
    byte[] quad = dottedQuad(literal);
    if (quad != null) {
      return Optional.of(ipv4(quad));
    }
    if (literal.indexOf(':') < 0 && !digitsAndDots(literal)) {
      return Optional.empty(); // neither an IPv4 nor an IPv6 literal for NetUtil either
    }
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
    if (address instanceof Inet4Address) {
      byte[] b = address.getAddress();
      return new StringBuilder(15).append(b[0] & 0xff).append('.').append(b[1] & 0xff).append('.')
          .append(b[2] & 0xff).append('.').append(b[3] & 0xff).toString();
    }
    return NetUtil.toAddressString(address);
  }

  /** {@code 192.0.2.1:80} or {@code [2001:db8::1]:80}. */
  public static String withPort(InetAddress address, Object port) {
    return address instanceof Inet6Address
        ? "[" + format(address) + "]:" + port
        : format(address) + ":" + port;
  }

  /**
   * The four bytes of a canonical dotted quad (decimal 0-255 without leading zeros), else null;
   * other spellings are left to NetUtil, so this never accepts what NetUtil would reject.
   */
  private static byte[] dottedQuad(String text) {
    int length = text.length();
    if (length < 7 || length > 15) {
      return null;
    }
    byte[] bytes = new byte[4];
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = 0; i <= length; i++) {
      char c = i < length ? text.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        if (digits == 1 && value == 0) {
          return null; // leading zero
        }
        value = value * 10 + (c - '0');
        if (++digits > 3 || value > 255) {
          return null;
        }
      } else if (c == '.' && digits > 0 && part < 4) {
        bytes[part++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return null;
      }
    }
    return part == 4 ? bytes : null;
  }

  private static boolean digitsAndDots(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < '0' || c > '9') && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static InetAddress ipv4(byte[] quad) {
    try {
      return InetAddress.getByAddress(quad); // four bytes: no name service is asked
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are always an IPv4 address", e);
    }
  }
}
