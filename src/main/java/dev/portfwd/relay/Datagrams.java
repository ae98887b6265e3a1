package dev.portfwd.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/**
 * How the relay receives UDP datagrams. Netty's datagram channels read into 2,048-byte buffers by
 * default and cut longer datagrams there without a word; the relay reads into buffers that hold the
 * largest UDP payload ({@link ReceiveBuffers}), and copies a datagram that uses less than half of
 * such a buffer into one of its own size, so a queued datagram holds at most twice its size in
 * memory and what a queue may hold (its write-buffer watermarks, counted in readable bytes) is
 * about what it costs.
 */
final class Datagrams {

  /** The largest UDP payload (65,535 bytes less the UDP header, IPv6 without jumbograms). */
  static final int MAX_PAYLOAD = 65_527;

  /**
   * A receive buffer of {@link #MAX_PAYLOAD} bytes for every datagram: nothing is cut. Up to 16
   * datagrams are read per wake-up, as Netty's own datagram channels do (an allocator set through
   * the channel option keeps its own count, which is 1 unless set: one datagram per wake-up cost a
   * fifth of the packet rate), so their writes leave together (sendmmsg on epoll, equal ones in one
   * segmented write: {@link SegmentedWrites}). 64 relayed more datagrams per second with segmented
   * writes, but left the relay more memory after a flood.
   */
  static final RecvByteBufAllocator RECEIVE =
      new FixedRecvByteBufAllocator(MAX_PAYLOAD).maxMessagesPerRead(16);

  private Datagrams() {}

  /**
   * {@code content} itself when it holds at least half of {@link #MAX_PAYLOAD} bytes, else a copy
   * of its readable bytes in a buffer of their size; takes ownership of {@code content}. Every
   * datagram is read into a buffer of that size, and epoll hands on a slice of it whose own
   * capacity is the datagram's length: the rule looks at the length alone, so a small datagram
   * never keeps its whole receive buffer.
   */
  static ByteBuf compact(ByteBuf content, ByteBufAllocator alloc) {
    int readable = content.readableBytes();
    if (readable >= MAX_PAYLOAD / 2) {
      return content;
    }
    try {
      ByteBuf copy = alloc.directBuffer(readable, readable);
      copy.writeBytes(content, content.readerIndex(), readable);
      return copy;
    } finally {
      content.release();
    }
  }
}
