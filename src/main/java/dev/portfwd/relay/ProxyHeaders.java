package dev.portfwd.relay;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.ProxyProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * PROXY protocol headers (haproxy.org/download/2.9/doc/proxy-protocol.txt) that tell a backend who
 * the client really is: source = the client, destination = the relay address it connected to. Both
 * addresses are of the client connection's IP version, whatever the backend's is.
 */
final class ProxyHeaders {

  private ProxyHeaders() {}

  /**
   * The header message for a TCP client, to be written first through {@link HAProxyMessageEncoder}.
   */
  static Optional<HAProxyMessage> forTcp(ProxyProtocol protocol, Channel client) {
    if (protocol == ProxyProtocol.NONE) {
      return Optional.empty();
    }
    InetSocketAddress source = DualStackAddresses.unmap(client.remoteAddress());
    InetSocketAddress destination = DualStackAddresses.unmap(client.localAddress());
    return Optional.of(message(protocol, /* stream= */ true, source, destination));
  }

  /**
   * The encoded v2 header for a UDP session, prefixed to every datagram as the specification's
   * DGRAM form asks (each datagram carries its own header, since datagrams can be lost).
   */
  static ByteBuf forUdp(InetSocketAddress client, InetSocketAddress listening) {
    return encode(
        message(
            ProxyProtocol.V2,
            /* stream= */ false,
            DualStackAddresses.unmap(client),
            DualStackAddresses.unmap(listening)));
  }

  static HAProxyMessage message(
      ProxyProtocol protocol,
      boolean stream,
      InetSocketAddress source,
      InetSocketAddress destination) {
    boolean v4 = source.getAddress() instanceof Inet4Address;
    if (v4 != destination.getAddress() instanceof Inet4Address) {
      // A dual-stack socket reports both sides in one family; never mix them in a header.
      throw new IllegalArgumentException(
          "client " + source + " and local " + destination + " differ in IP version");
    }
    HAProxyProxiedProtocol proxied =
        stream
            ? (v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6)
            : (v4 ? HAProxyProxiedProtocol.UDP4 : HAProxyProxiedProtocol.UDP6);
    HAProxyProtocolVersion version =
        protocol == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2;
    return new HAProxyMessage(
        version,
        HAProxyCommand.PROXY,
        proxied,
        Addresses.format(source.getAddress()),
        Addresses.format(destination.getAddress()),
        source.getPort(),
        destination.getPort());
  }

  /** The bytes of {@code message}, encoded by Netty's encoder; releases {@code message}. */
  static ByteBuf encode(HAProxyMessage message) {
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    try {
      encoder.writeOutbound(message);
      return encoder.readOutbound();
    } finally {
      encoder.finishAndReleaseAll();
    }
  }
}
