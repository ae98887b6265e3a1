package dev.portfwd.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.logging.Logger;

/**
 * The client side of one TCP connection: connects to the backend on the client's own event loop (so
 * both channels are served by one thread and need no locks), then copies the client's data to it
 * one chunk at a time. Auto-read is off: the next chunk is read only after the previous one was
 * written, so a slow backend slows the client down instead of filling memory.
 */
final class TcpFrontendHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = Logger.getLogger(TcpFrontendHandler.class.getPackageName());

  private final Route route;
  private final ChannelFactory<? extends Channel> backendChannels;
  private final RelayOptions options;
  private final ConnectionFailure failure;
  private final IdleSweeper idleSweeper;
  private IdleSweeper.Entry idle;
  private Channel backend;
  // Once a FIN has arrived, epoll reads everything up to it even with auto-read off; what comes
  // before the backend is connected waits here (at most the socket's receive buffer) and the FIN
  // is passed on after it. Made only then: an idle connection holds no queue.
  private ArrayDeque<Object> early;
  private boolean connected;
  private boolean inputEndedEarly;
  // The client reset the connection: the backend's connection is reset too.
  private boolean clientReset;

  /**
   * @param idleSweeper the idle timeout of the client's event loop; null when there is none
   */
  TcpFrontendHandler(
      Route route,
      ChannelFactory<? extends Channel> backendChannels,
      RelayOptions options,
      IdleSweeper idleSweeper,
      RateLimitedLog rateLimitedLog) {
    this.route = route;
    this.backendChannels = backendChannels;
    this.options = options;
    this.idleSweeper = idleSweeper;
    this.failure = new ConnectionFailure(route, rateLimitedLog);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel client = ctx.channel();
    if (idleSweeper != null) {
      idle = idleSweeper.add(() -> idleTimedOut(client));
    }
    Bootstrap bootstrap =
        new Bootstrap()
            .group(client.eventLoop())
            .channelFactory(backendChannels)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
            // No TCP_NODELAY: Netty turns Nagle's algorithm off in every socket channel it makes.
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.RECVBUF_ALLOCATOR, client.config().getRecvByteBufAllocator())
            .handler(new TcpBackendInitializer(client, route, failure, idle));
    InetSocketAddress from = (InetSocketAddress) client.remoteAddress();
    ChannelFuture connect =
        bootstrap.connect(route.backendFor(from == null ? null : from.getAddress()));
    backend = connect.channel();
    connect.addListener(
        (ChannelFutureListener)
            future -> {
              if (!client.eventLoop().inEventLoop()) {
                // A socket that could not be made fails on Netty's global executor: come back to
                // the client's loop, which owns this handler's state.
                client.eventLoop().execute(() -> onConnect(client, future));
              } else {
                onConnect(client, future);
              }
            });
  }

  private void onConnect(Channel client, ChannelFuture future) {
    if (future.isSuccess()) {
      connected = true;
      ProxyHeaders.forTcp(route.forward().proxyProtocol(), client).ifPresent(backend::write);
      if (early != null) {
        for (Object msg = early.poll(); msg != null; msg = early.poll()) {
          backend.write(msg);
        }
        early = null;
      }
      backend
          .writeAndFlush(Unpooled.EMPTY_BUFFER)
          .addListener(
              (ChannelFutureListener)
                  flushed -> {
                    if (!flushed.isSuccess()) {
                      client.close();
                    } else if (inputEndedEarly) {
                      Pipes.passEndOfInput(client, backend);
                    } else {
                      Pipes.readMore(client);
                    }
                  });
    } else {
      releaseEarly();
      failure.connectFailed(DualStackAddresses.format(client.remoteAddress()), future.cause());
      client.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (idle != null) {
      idle.active();
    }
    if (!connected) {
      if (msg instanceof ByteBuf buf) {
        route.counters().toBackend(buf.readableBytes());
      }
      if (early == null) {
        early = new ArrayDeque<>(4);
      }
      early.add(msg);
      return;
    }
    if (!backend.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ByteBuf buf) {
      route.counters().toBackend(buf.readableBytes());
    }
    Pipes.relay(msg, ctx.channel(), backend);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      if (connected) {
        Pipes.passEndOfInput(ctx.channel(), backend);
      } else {
        inputEndedEarly = true;
      }
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  /** No data either way for the idle timeout: the connection ends (on the client's loop). */
  private void idleTimedOut(Channel client) {
    if (options.verbose()) {
      LOG.fine(
          "idle timeout: closing "
              + DualStackAddresses.format(client.remoteAddress())
              + " on "
              + route.describe());
    }
    client.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idle != null) {
      idleSweeper.remove(idle);
    }
    releaseEarly();
    if (clientReset) {
      Pipes.abort(backend);
    } else {
      Pipes.closeOnFlush(backend);
    }
  }

  private void releaseEarly() {
    if (early == null) {
      return;
    }
    for (Object msg = early.poll(); msg != null; msg = early.poll()) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    clientReset = Pipes.isReset(cause);
    failure.failed(
        () -> "client " + DualStackAddresses.format(ctx.channel().remoteAddress()), cause);
    ctx.close();
  }
}
