package dev.portfwd.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Parses and prints IP address literals without ever resolving a name: {@code
 * InetAddress.getByName} would silently turn a typo into a DNS lookup. {@link AddressLiteral} reads
 * the text into bytes, and only bytes are handed to the JDK.
 */
public final class Addresses {

  private Addresses() {}

  /** The address written as {@code literal} (IPv4 dotted quad or IPv6), or empty if it is none. */
  public static Optional<InetAddress> parse(String literal) {
    Optional<byte[]> bytes =
        literal.indexOf(':') < 0 ? AddressLiteral.ipv4(literal) : AddressLiteral.ipv6(literal);
    return bytes.map(Addresses::fromBytes);
  }

  /** The canonical text of {@code address}: {@code 192.0.2.1}, {@code 2001:db8::1} (RFC 5952). */
  public static String format(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      return new StringBuilder(15)
          .append(b[0] & 0xff)
          .append('.')
          .append(b[1] & 0xff)
          .append('.')
          .append(b[2] & 0xff)
          .append('.')
          .append(b[3] & 0xff)
          .toString();
    }
    return ipv6Text(b);
  }

  /** {@code 192.0.2.1:80} or {@code [2001:db8::1]:80}. */
  public static String withPort(InetAddress address, Object port) {
    return address instanceof Inet6Address
        ? "[" + format(address) + "]:" + port
        : format(address) + ":" + port;
  }

  /**
   * RFC 5952 text of sixteen bytes: lower-case hex words without leading zeros, the longest run of
   * two or more zero words (the first of equally long ones) written {@code ::}, and no dotted quad
   * even for IPv4-mapped bytes. The zone id, if any, is left out.
   */
  private static String ipv6Text(byte[] bytes) {
    int[] words = new int[8];
    for (int i = 0; i < words.length; i++) {
      words[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
    }
    int runStart = -1;
    int runLength = 0;
    for (int i = 0; i < words.length; i++) {
      int end = i;
      while (end < words.length && words[end] == 0) {
        end++;
      }
      if (end - i > runLength) {
        runStart = i;
        runLength = end - i;
      }
      i = Math.max(i, end);
    }
    if (runLength < 2) {
      runStart = -1;
    }
    StringBuilder text = new StringBuilder(39);
    for (int i = 0; i < words.length; i++) {
      if (i == runStart) {
        text.append("::");
        i += runLength - 1;
      } else {
        if (i > 0 && i != runStart + runLength) {
          text.append(':');
        }
        text.append(Integer.toHexString(words[i]));
      }
    }
    return text.toString();
  }

  private static InetAddress fromBytes(byte[] bytes) {
    try {
      // Bytes, not text: no name service is asked. Sixteen IPv4-mapped bytes come back as the
      // IPv4 address, as they did from Netty.
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError("four or sixteen bytes are always an address", e);
    }
  }
}
