package dev.portfwd.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.PortfwdEpollGuard;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * Sits on a listening TCP socket. Each accepted connection passes it before Netty registers it,
 * which is when {@link PortfwdEpollGuard} costs no system call of its own. It also takes the
 * socket's accept errors (EMFILE when the process is out of file descriptors, ENFILE, ENOBUFS): one
 * log line per interval with a count instead of Netty's stack trace per failed accept, and a short
 * pause in accepting, since the pending connection stays in the backlog and would fail again at
 * once. The connections wait in the backlog meanwhile.
 */
@ChannelHandler.Sharable
final class TcpListenerHandler extends ChannelInboundHandlerAdapter {

  /** How long accepting pauses after an accept error. */
  static final long PAUSE_MILLIS = 100;

  private final ListenerKey key;
  private final RateLimitedLog log;

  TcpListenerHandler(ListenerKey key, RateLimitedLog log) {
    this.key = key;
    this.log = log;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object accepted) {
    PortfwdEpollGuard.keepRegistered((Channel) accepted);
    ctx.fireChannelRead(accepted);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String reason = Pipes.expected(cause);
    log.log(
        Level.WARNING,
        "accept " + key,
        "cannot accept connections on "
            + key
            + ": "
            + (reason == null ? cause.toString() : reason)
            + "; accepting again in "
            + PAUSE_MILLIS
            + " ms");
    ChannelConfig config = ctx.channel().config();
    if (config.isAutoRead()) {
      config.setAutoRead(false);
      ctx.channel()
          .eventLoop()
          .schedule(() -> config.setAutoRead(true), PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }
    // Not passed on: Netty's acceptor would pause for a whole second and log the stack trace.
  }
}
