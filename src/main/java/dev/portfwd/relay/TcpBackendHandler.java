package dev.portfwd.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * The backend side of one TCP connection: copies the backend's data to the client one chunk at a
 * time, reading the next only after the client took the previous one (so a client that never reads
 * holds at most one chunk in the relay), and passes the backend's FIN on.
 */
final class TcpBackendHandler extends ChannelInboundHandlerAdapter {

  private final Channel client;
  private final Route route;
  private final ConnectionFailure failure;
  private final IdleSweeper.Entry idle;

  TcpBackendHandler(
      Channel client, Route route, ConnectionFailure failure, IdleSweeper.Entry idle) {
    this.client = client;
    this.route = route;
    this.failure = failure;
    this.idle = idle;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (idle != null) {
      idle.active();
    }
    if (msg instanceof ByteBuf buf) {
      route.counters().toClient(buf.readableBytes());
    }
    Pipes.relay(msg, ctx.channel(), client);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      Pipes.passEndOfInput(ctx.channel(), client);
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Pipes.closeOnFlush(client);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failure.failed(() -> "backend " + DualStackAddresses.format(route.backend()), cause);
    ctx.close();
  }
}
