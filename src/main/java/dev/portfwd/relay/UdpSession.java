package dev.portfwd.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;

/**
 * One UDP client's socket towards the backend. Datagrams that arrive before the socket is connected
 * wait for it; with PROXY protocol v2 each datagram is prefixed with the session's header. Used
 * only on the listener's event loop.
 */
final class UdpSession {

  private final ChannelFuture connect;
  private final ByteBuf header;
  private final ForwardCounters counters;

  UdpSession(ChannelFuture connect, ByteBuf header, ForwardCounters counters) {
    this.connect = connect;
    this.header = header;
    this.counters = counters;
  }

  /**
   * Queues {@code payload} for the backend; takes ownership of it. {@link #flush} sends what is
   * queued, so the datagrams of one read burst leave in one system call (sendmmsg on epoll).
   *
   * @return true when the caller must {@link #flush} (the socket was ready), false when the
   *     datagram waits for the connect and is sent by it
   */
  boolean forward(ByteBuf payload) {
    counters.toBackend(payload.readableBytes());
    ByteBuf datagram =
        header == null
            ? Datagrams.compact(payload, connect.channel().alloc())
            : prefixed(connect.channel(), payload);
    if (connect.isDone()) {
      send(datagram);
      return true;
    }
    connect.addListener(
        (ChannelFutureListener)
            done -> {
              send(datagram);
              flush();
            });
    return false;
  }

  private void send(ByteBuf datagram) {
    Channel backend = connect.channel();
    if (connect.isSuccess() && backend.isActive()) {
      // UDP may drop: a datagram the socket cannot take now is lost, as it would be on the wire.
      backend.write(datagram, backend.voidPromise());
    } else {
      datagram.release();
    }
  }

  void flush() {
    connect.channel().flush();
  }

  private ByteBuf prefixed(Channel backend, ByteBuf payload) {
    try {
      ByteBuf datagram =
          backend.alloc().directBuffer(header.readableBytes() + payload.readableBytes());
      datagram.writeBytes(header, header.readerIndex(), header.readableBytes());
      datagram.writeBytes(payload);
      return datagram;
    } finally {
      payload.release();
    }
  }

  void close() {
    connect.channel().close();
  }

  /** Frees the header; called once when the session's socket has closed. */
  void release() {
    if (header != null && header.refCnt() > 0) {
      header.release();
    }
  }
}
