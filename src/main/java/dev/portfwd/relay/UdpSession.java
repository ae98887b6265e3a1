package dev.portfwd.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;

/**
 * One UDP client's socket towards the backend. Datagrams that arrive before the socket is connected
 * wait for it; with PROXY protocol v2 each datagram is prefixed with the session's header. Used
 * only on the listener's event loop.
 *
 * <p>What a session may queue is bounded: a datagram is written only while the socket's channel is
 * writable (less than {@link #QUEUE}'s high watermark is waiting for the kernel), else it is
 * dropped and counted, as a full link drops it. Before dropping, what is queued is flushed once, so
 * a burst read in one go is dropped only when the kernel cannot take it either.
 */
final class UdpSession {

  /**
   * The bound on what waits in the relay for one session's socket (and for one listening socket's
   * replies): writes stop above 64 KiB and resume below 32 KiB (Netty counts each datagram as its
   * size plus 96 bytes). The kernel's own socket buffer comes on top and is bounded by the kernel.
   */
  static final WriteBufferWaterMark QUEUE = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

  private final ChannelFuture connect;
  private final ByteBuf header;
  private final ForwardCounters counters;
  // Bytes of the datagrams that wait for the connect; bounded like the queue.
  private int waiting;

  UdpSession(ChannelFuture connect, ByteBuf header, ForwardCounters counters) {
    this.connect = connect;
    this.header = header;
    this.counters = counters;
  }

  /**
   * Queues {@code payload} for the backend, or drops it when the queue is full; takes ownership of
   * it. {@link #flush} sends what is queued, so the datagrams of one read burst leave in one system
   * call (sendmmsg on epoll).
   *
   * @return true when the caller must {@link #flush} (the datagram was queued on the socket), false
   *     when it waits for the connect (and is sent by it) or was dropped
   */
  boolean forward(ByteBuf payload) {
    int size = payload.readableBytes();
    ByteBuf datagram =
        header == null
            ? Datagrams.compact(payload, connect.channel().alloc())
            : prefixed(connect.channel(), payload);
    if (connect.isDone()) {
      return send(datagram, size);
    }
    if (waiting + datagram.readableBytes() > QUEUE.high()) {
      drop(datagram);
      return false;
    }
    waiting += datagram.readableBytes();
    connect.addListener(
        (ChannelFutureListener)
            done -> {
              waiting -= datagram.readableBytes();
              if (send(datagram, size)) {
                flush();
              }
            });
    return false;
  }

  private boolean send(ByteBuf datagram, int payloadSize) {
    Channel backend = connect.channel();
    if (!connect.isSuccess() || !backend.isActive()) {
      datagram.release(); // the session is ending
      return false;
    }
    if (!backend.isWritable()) {
      // A flush already waiting for the socket does nothing; otherwise the queue may empty now.
      backend.flush();
      if (!backend.isWritable()) {
        drop(datagram);
        return false;
      }
    }
    counters.toBackend(payloadSize);
    backend.write(datagram, backend.voidPromise());
    return true;
  }

  private void drop(ByteBuf datagram) {
    datagram.release();
    counters.dropped();
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

  /**
   * Makes the UDP sockets of {@code bootstrap} ask for {@code --udp-receive-buffer}, if it is set.
   */
  static Bootstrap receiveBuffer(Bootstrap bootstrap, RelayOptions options) {
    return options.udpReceiveBuffer() > 0
        ? bootstrap.option(ChannelOption.SO_RCVBUF, options.udpReceiveBuffer())
        : bootstrap;
  }

  /** Counts what the kernel dropped at the socket's receive buffer (the backend's replies). */
  void countDrops() {
    ReceiveDrops.countAt(connect.channel());
  }

  /** Frees the header; called once when the session's socket has closed. */
  void release() {
    if (header != null && header.refCnt() > 0) {
      header.release();
    }
  }
}
