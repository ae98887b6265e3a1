package dev.portfwd.metrics;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a connection: hands each complete request to the listener's few handler
 * threads as a {@link BufferedExchange} and writes the answer back, one request at a time and in
 * order (pipelined requests wait their turn, at most {@link #PIPELINED}).
 *
 * <p>A request has {@link HttpEndpoint#REQUEST_TIME} to arrive whole, counted from the connection's
 * start or the previous answer, and an answer being written may go that long without progress; then
 * the connection is closed. Reading happens on the event loop, so a client that sends slowly holds
 * no handler thread, only its connection (which {@link ClientConnections} bounds).
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {

  /** Fired through the pipeline after each answer is written ({@link LargeBodies} listens). */
  static final Object ANSWERED =
      new Object() {
        @Override
        public String toString() {
          return "answered";
        }
      };

  /** Requests a client may send ahead of its answers before it is cut off. */
  static final int PIPELINED = 16;

  private final HttpHandler root;
  private final Executor handlers;
  private final Duration requestTime;
  private final Deque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean busy;
  private ScheduledFuture<?> deadline;

  RequestDispatcher(HttpHandler root, Executor handlers, Duration requestTime) {
    this.root = root;
    this.handlers = handlers;
    this.requestTime = requestTime;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarm();
    for (FullHttpRequest request : waiting) {
      request.release();
    }
    waiting.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(message);
      return;
    }
    disarm();
    if (waiting.size() >= PIPELINED) {
      request.release();
      ctx.close();
      return;
    }
    waiting.add(request);
    if (!busy) {
      next(ctx);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset, a failed TLS handshake: nothing to answer
  }

  private void next(ChannelHandlerContext ctx) {
    FullHttpRequest request = waiting.poll();
    if (request == null) {
      busy = false;
      ctx.channel().config().setAutoRead(true);
      arm(ctx);
      return;
    }
    busy = true;
    disarm(); // the handler's time is the service's, not the client's
    ctx.channel().config().setAutoRead(false); // the next request waits in the socket
    String method = request.method().name();
    HttpVersion version = request.protocolVersion();
    try {
      if (request.decoderResult().isFailure()) {
        answer(ctx, plain(refusal(request.decoderResult().cause())), method, version, false);
        return;
      }
      URI uri;
      try {
        uri = new URI(request.uri());
      } catch (URISyntaxException e) {
        answer(ctx, plain(400), method, version, false);
        return;
      }
      Headers headers = new Headers();
      for (Map.Entry<String, String> header : request.headers()) {
        headers.add(header.getKey(), header.getValue());
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      BufferedExchange exchange =
          new BufferedExchange(
              method,
              uri,
              version.text(),
              headers,
              ByteBufUtil.getBytes(request.content()),
              (InetSocketAddress) ctx.channel().localAddress(),
              (InetSocketAddress) ctx.channel().remoteAddress(),
              answer ->
                  ctx.executor().execute(() -> answer(ctx, answer, method, version, keepAlive)));
      try {
        handlers.execute(() -> handle(exchange));
      } catch (RejectedExecutionException e) {
        ctx.close(); // the listener is closing
      }
    } finally {
      request.release();
    }
  }

  private void handle(BufferedExchange exchange) {
    try {
      root.handle(exchange);
    } catch (IOException | RuntimeException e) {
      // Answered 500 below unless the handler had answered.
    } finally {
      exchange.close();
    }
  }

  private static int refusal(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return 414;
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return 431;
    }
    return 400;
  }

  private static BufferedExchange.Answer plain(int status) {
    Headers headers = new Headers();
    headers.set("Content-Type", "text/plain; charset=utf-8");
    String text = HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase() + "\n";
    return new BufferedExchange.Answer(status, headers, text.getBytes(StandardCharsets.US_ASCII));
  }

  private void answer(
      ChannelHandlerContext ctx,
      BufferedExchange.Answer answer,
      String method,
      HttpVersion version,
      boolean keepAlive) {
    FullHttpResponse response;
    try {
      response = response(answer, method, version);
    } catch (IllegalArgumentException e) {
      response = response(plain(500), method, version); // a header the codec refuses
    }
    HttpUtil.setKeepAlive(response, keepAlive);
    if (keepAlive && version.equals(HttpVersion.HTTP_1_0)) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ChannelFuture writing = ctx.writeAndFlush(response);
    if (!writing.isDone()) {
      armWrite(ctx, pendingBytes(ctx)); // the client reads slowly, or not at all
    }
    writing.addListener(
        written -> {
          ctx.pipeline().fireUserEventTriggered(ANSWERED);
          if (!keepAlive || !written.isSuccess()) {
            ctx.close();
          } else {
            next(ctx);
          }
        });
  }

  private static FullHttpResponse response(
      BufferedExchange.Answer answer, String method, HttpVersion version) {
    byte[] body = answer.body();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, // the version the server speaks, whichever the client asked in
            HttpResponseStatus.valueOf(answer.status()),
            body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    for (Map.Entry<String, List<String>> header : answer.headers().entrySet()) {
      for (String value : header.getValue()) {
        response.headers().add(header.getKey(), value);
      }
    }
    boolean bodiless = answer.status() < 200 || answer.status() == 204 || answer.status() == 304;
    if (body != null) {
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    } else if (!method.equals("HEAD") && !bodiless) {
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
    return response;
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    deadline =
        ctx.executor().schedule(() -> ctx.close(), requestTime.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Closes the connection when an answer being written made no progress for the request time: a
   * client that stops reading would otherwise hold its connection and the answer's memory for good.
   */
  private void armWrite(ChannelHandlerContext ctx, long pending) {
    disarm();
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  long now = pendingBytes(ctx);
                  if (now > 0 && now < pending) {
                    armWrite(ctx, now);
                  } else if (now > 0) {
                    ctx.close();
                  }
                },
                requestTime.toMillis(),
                TimeUnit.MILLISECONDS);
  }

  private static long pendingBytes(ChannelHandlerContext ctx) {
    // Netty's own count of the bytes written but not yet taken by the kernel.
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
