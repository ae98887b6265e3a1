package dev.portfwd.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;

/**
 * Bounds the memory requests' bodies take: every request is read whole before it is handled, and a
 * body over {@link #SMALL} bytes (a big table sent to the API) needs one of a few permits shared by
 * all connections, held until its answer is written or its connection closes. Without one it is
 * answered 503 and its connection closed before its body is read. Small bodies (logins, ordinary
 * tables) are never held up.
 *
 * <p>One per connection, between the HTTP decoder and the aggregator; the permits are the
 * listener's.
 */
final class LargeBodies extends ChannelInboundHandlerAdapter {

  /** Bodies up to this size need no permit. */
  static final int SMALL = 1024 * 1024;

  private final Semaphore permits;

  /** Per request read and not yet answered, in order: whether it holds a permit. */
  private final Deque<Boolean> unanswered = new ArrayDeque<>();

  private boolean dropping;

  LargeBodies(Semaphore permits) {
    this.permits = permits;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof HttpRequest request) {
      long length = HttpUtil.getContentLength(request, -1L);
      boolean large = length > SMALL || (length < 0 && HttpUtil.isTransferEncodingChunked(request));
      if (large && !permits.tryAcquire()) {
        dropping = true;
        ReferenceCountUtil.release(message);
        FullHttpResponse busy =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                Unpooled.copiedBuffer(
                    "too many large requests at once: try again later\n", StandardCharsets.UTF_8));
        busy.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
            .set(HttpHeaderNames.CONTENT_LENGTH, busy.content().readableBytes())
            .set(HttpHeaderNames.RETRY_AFTER, 1)
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(busy).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      dropping = false;
      unanswered.add(large);
    } else if (dropping && message instanceof HttpContent) {
      ReferenceCountUtil.release(message);
      return;
    }
    ctx.fireChannelRead(message);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == RequestDispatcher.ANSWERED) {
      Boolean held = unanswered.poll();
      if (Boolean.TRUE.equals(held)) {
        permits.release();
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    for (Boolean held : unanswered) {
      if (held) {
        permits.release();
      }
    }
    unanswered.clear();
    ctx.fireChannelInactive();
  }
}
