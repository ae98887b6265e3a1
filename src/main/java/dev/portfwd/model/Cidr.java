package dev.portfwd.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block such as {@code 203.0.113.0/24} or {@code 2001:db8::/32}. The stored address has
 * its host bits cleared, so equal blocks compare equal however they were written.
 *
 * @throws IllegalArgumentException when the prefix length does not fit the address family
 */
public record Cidr(InetAddress network, int prefixLength) {

  // Written out for the same reason as PortRange's.
  @Override
  public boolean equals(Object other) {
    return other instanceof Cidr c && prefixLength == c.prefixLength && network.equals(c.network);
  }

  @Override
  public int hashCode() {
    return network.hashCode() * 31 + prefixLength;
  }

  public Cidr {
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0-" + bits);
    }
    network = maskHostBits(network, prefixLength);
  }

  /** The block holding exactly {@code address} (/32 or /128). */
  public static Cidr host(InetAddress address) {
    return new Cidr(address, address.getAddress().length * 8);
  }

  public IpFamily family() {
    return IpFamily.of(network);
  }

  /** True when {@code address} lies inside this block (always false across families). */
  public boolean contains(InetAddress address) {
    byte[] candidate = address.getAddress();
    byte[] mine = network.getAddress();
    if (candidate.length != mine.length) {
      return false;
    }
    return Arrays.equals(maskHostBits(candidate, prefixLength), mine);
  }

  /** True when {@code address} has bits set beyond {@code prefixLength}. */
  public static boolean hasHostBits(InetAddress address, int prefixLength) {
    return !Arrays.equals(maskHostBits(address.getAddress(), prefixLength), address.getAddress());
  }

  private static InetAddress maskHostBits(InetAddress address, int prefixLength) {
    try {
      return InetAddress.getByAddress(maskHostBits(address.getAddress(), prefixLength));
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static byte[] maskHostBits(byte[] address, int prefixLength) {
    byte[] masked = address.clone();
    for (int i = 0; i < masked.length; i++) {
      int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
      masked[i] &= (byte) (0xff << (8 - keep));
    }
    return masked;
  }

  @Override
  public String toString() {
    return Addresses.format(network) + "/" + prefixLength;
  }
}
