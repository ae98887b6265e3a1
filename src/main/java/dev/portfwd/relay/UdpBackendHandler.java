package dev.portfwd.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.logging.Logger;

/**
 * Sends a UDP session's replies from the backend back to its client, from the listening socket; a
 * reply that the listening socket's queue cannot take is dropped and counted.
 */
final class UdpBackendHandler extends SimpleChannelInboundHandler<DatagramPacket> {

  private static final Logger LOG = Logger.getLogger(UdpBackendHandler.class.getPackageName());

  private final Channel listening;
  private final InetSocketAddress client;
  private final Route route;
  private final RelayOptions options;

  UdpBackendHandler(
      Channel listening, InetSocketAddress client, Route route, RelayOptions options) {
    this.listening = listening;
    this.client = client;
    this.route = route;
    this.options = options;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
    if (!listening.isActive()) {
      return;
    }
    if (!listening.isWritable()) {
      // As for the way in (UdpSession): flush once, then drop what the queue cannot take.
      listening.flush();
      if (!listening.isWritable()) {
        route.counters().dropped();
        return;
      }
    }
    route.counters().toClient(reply.content().readableBytes());
    listening.write(
        new DatagramPacket(Datagrams.compact(reply.content().retain(), ctx.alloc()), client),
        listening.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // The replies of one read burst leave together; the listener shares this event loop.
    listening.flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP port unreachable from a stopped backend arrives here: count it, keep the session.
    route.counters().error();
    if (options.verbose()) {
      String reason = Pipes.expected(cause);
      LOG.fine(
          "udp backend "
              + DualStackAddresses.format(route.backend())
              + " for "
              + DualStackAddresses.format(client)
              + ": "
              + (reason == null ? cause : reason));
    }
  }
}
