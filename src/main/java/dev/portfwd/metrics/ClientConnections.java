package dev.portfwd.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the listener's open connections, per client address (an IPv6 client's /64) and in all,
 * when they open: one more is answered 503 and closed at once (over TLS closed, since no handshake
 * happened), before a byte of it is read. So one address that opens connection after connection,
 * however slowly each sends, leaves room for everybody else: a scraper's {@code /metrics}, a login,
 * the page.
 *
 * <p>First in every connection's pipeline and shared by all of them.
 */
@ChannelHandler.Sharable
final class ClientConnections extends ChannelInboundHandlerAdapter {

  private static final AttributeKey<Boolean> REFUSED =
      AttributeKey.valueOf(ClientConnections.class, "refused");

  private static final byte[] REFUSAL = refusal("too many connections open: try again later\n");

  private final int perAddress;
  private final int total;
  private final boolean tls;
  private final Map<InetAddress, Integer> open = new HashMap<>();
  private int all;

  /**
   * @param perAddress connections one client address may hold open
   * @param total connections all clients together may hold open
   * @param tls true when connections speak TLS: a refusal is then a plain close
   */
  ClientConnections(int perAddress, int total, boolean tls) {
    this.perAddress = perAddress;
    this.total = total;
    this.tls = tls;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    InetAddress address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    if (!admit(address)) {
      ctx.channel().attr(REFUSED).set(true);
      if (tls) {
        ctx.close();
      } else {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(REFUSAL)).addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    ctx.channel().closeFuture().addListener(closed -> release(address));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (Boolean.TRUE.equals(ctx.channel().attr(REFUSED).get())) {
      ReferenceCountUtil.release(message); // a refused connection's request is never read
      return;
    }
    ctx.fireChannelRead(message);
  }

  synchronized boolean admit(InetAddress address) {
    InetAddress client = client(address);
    int mine = open.getOrDefault(client, 0);
    if (mine >= perAddress || all >= total) {
      return false;
    }
    open.put(client, mine + 1);
    all++;
    return true;
  }

  synchronized void release(InetAddress address) {
    open.computeIfPresent(client(address), (key, count) -> count == 1 ? null : count - 1);
    all--;
  }

  private static byte[] refusal(String body) {
    return ("HTTP/1.1 503 Service Unavailable\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: "
            + body.length()
            + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
            + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Connections open now from {@code address}, for tests. */
  synchronized int openFrom(InetAddress address) {
    return open.getOrDefault(client(address), 0);
  }

  /**
   * Who {@code address} counts as: itself, or for IPv6 its /64, since one host commonly holds a
   * whole /64 and could otherwise open the limit again from each of its addresses.
   */
  static InetAddress client(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] prefix = address.getAddress();
    Arrays.fill(prefix, 8, 16, (byte) 0);
    try {
      return InetAddress.getByAddress(prefix);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 16 bytes are always an address
    }
  }
}
