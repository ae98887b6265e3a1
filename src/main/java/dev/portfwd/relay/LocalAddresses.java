package dev.portfwd.relay;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The addresses a UDP line without an address answers from, one socket each: a socket bound to the
 * wildcard replies with the kernel's choice of source address (the first address of the subnet),
 * which a client that wrote to another address of the host drops when its socket is connected.
 * Netty's transports cannot choose the source per datagram, so the relay binds where the client
 * writes.
 */
final class LocalAddresses {

  private LocalAddresses() {}

  /**
   * The unicast addresses of the interfaces that are up, without scope. Link-local addresses are
   * left to the wildcard socket: the kernel answers a link-local client from the link-local address
   * of the interface it came in on, and binding one needs its interface.
   */
  static Set<InetAddress> ofThisHost() {
    Set<InetAddress> found = new LinkedHashSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp()) {
          continue;
        }
        for (InetAddress address : Collections.list(nif.getInetAddresses())) {
          if (answerable(address)) {
            found.add(withoutScope(address));
          }
        }
      }
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  static boolean answerable(InetAddress address) {
    return !address.isLinkLocalAddress()
        && !address.isAnyLocalAddress()
        && !address.isMulticastAddress();
  }

  /**
   * Whether a listener bound to {@code wildcard} hears datagrams to {@code address}: {@code ::}
   * hears both IP versions, {@code 0.0.0.0} (a host without IPv6) only IPv4.
   */
  static boolean heardBy(InetAddress wildcard, InetAddress address) {
    return !(wildcard instanceof Inet4Address) || address instanceof Inet4Address;
  }

  private static InetAddress withoutScope(InetAddress address) {
    try {
      return InetAddress.getByAddress(address.getAddress());
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
