package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.model.ProxyProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyHeadersTest {

  private static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.10", 40000);
  private static final InetSocketAddress LOCAL = new InetSocketAddress("203.0.113.1", 13102);

  @Test
  void writesTheV1TextLine() {
    ByteBuf header =
        ProxyHeaders.encode(ProxyHeaders.message(ProxyProtocol.V1, true, CLIENT, LOCAL));
    try {
      assertThat(header.toString(StandardCharsets.US_ASCII))
          .isEqualTo("PROXY TCP4 203.0.113.10 203.0.113.1 40000 13102\r\n");
    } finally {
      header.release();
    }
  }

  @Test
  void writesAV2HeaderThatDecodesToTheClient() {
    HAProxyMessage decoded =
        decode(
            ProxyHeaders.encode(
                ProxyHeaders.message(
                    ProxyProtocol.V2,
                    true,
                    new InetSocketAddress("2001:db8:1::10", 40000),
                    new InetSocketAddress("2001:db8:1::1", 443))));
    try {
      assertThat(decoded.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
      assertThat(decoded.sourcePort()).isEqualTo(40000);
      assertThat(decoded.destinationPort()).isEqualTo(443);
    } finally {
      decoded.release();
    }
  }

  @Test
  void marksUdpHeadersAsDatagrams() {
    HAProxyMessage decoded = decode(ProxyHeaders.forUdp(CLIENT, LOCAL));
    try {
      assertThat(decoded.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UDP4);
      assertThat(decoded.sourceAddress()).isEqualTo("203.0.113.10");
    } finally {
      decoded.release();
    }
  }

  @Test
  void neverMixesIpVersionsInOneHeader() {
    assertThatThrownBy(
            () ->
                ProxyHeaders.message(
                    ProxyProtocol.V2, true, CLIENT, new InetSocketAddress("2001:db8::1", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesTheUnspecifiedAddressOfTheClientsVersionForWildcardUdpSockets() {
    InetSocketAddress local =
        UdpFrontendHandler.localOf(null, CLIENT, new InetSocketAddress("::", 53));
    assertThat(local).isEqualTo(new InetSocketAddress("0.0.0.0", 53));
  }

  private static HAProxyMessage decode(ByteBuf header) {
    EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
    decoder.writeInbound(header);
    HAProxyMessage message = decoder.readInbound();
    decoder.finishAndReleaseAll();
    return message;
  }
}
