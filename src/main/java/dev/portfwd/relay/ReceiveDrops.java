package dev.portfwd.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.unix.RawUnixChannelOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Supplier;

/**
 * Counts the datagrams the kernel dropped at one of the relay's UDP sockets because its receive
 * buffer was full (the relay fell behind: a burst, a pause, more than it can carry) into a
 * forward's {@code dropped}, so they show where the relay's own drops do. The kernel keeps the
 * number per socket ({@code SO_MEMINFO}, the {@code drops} column of {@code /proc/net/udp}); this
 * adds what it grew by at each {@link #countAt} and once more when the socket closes. First in the
 * socket's pipeline, so that a close from any handler passes here before the socket goes. Used on
 * the socket's event loop only. Transports without the option (NIO) count nothing.
 */
final class ReceiveDrops extends ChannelOutboundHandlerAdapter {

  private static final int SOL_SOCKET = 1;
  private static final int SO_MEMINFO = 55;
  private static final int SK_MEMINFO_DROPS = 8;
  private static final RawUnixChannelOption MEMINFO =
      new RawUnixChannelOption(
          "SO_MEMINFO", SOL_SOCKET, SO_MEMINFO, (SK_MEMINFO_DROPS + 1) * Integer.BYTES);

  private final Supplier<ForwardCounters> counters;
  // The kernel's count at the last look; it starts at 0 with the socket.
  private long seen;

  /**
   * @param counters the counters the socket's drops go to now (a listening socket's route may
   *     change with a reload)
   */
  ReceiveDrops(Supplier<ForwardCounters> counters) {
    this.counters = counters;
  }

  /** Adds what the kernel dropped at {@code socket} since the last look, if it has this handler. */
  static void countAt(Channel socket) {
    ReceiveDrops drops = socket.pipeline().get(ReceiveDrops.class);
    if (drops != null) {
      drops.count(socket);
    }
  }

  private void count(Channel socket) {
    if (!socket.isOpen()) {
      return;
    }
    long now;
    try {
      ByteBuffer meminfo = socket.config().getOption(MEMINFO);
      if (meminfo == null || meminfo.remaining() < MEMINFO.length()) {
        return;
      }
      now =
          Integer.toUnsignedLong(
              meminfo.order(ByteOrder.nativeOrder()).getInt(SK_MEMINFO_DROPS * Integer.BYTES));
    } catch (RuntimeException unsupported) {
      return; // a transport without raw options, or a socket closed under us
    }
    long added = grown(seen, now);
    seen = now;
    if (added > 0) {
      counters.get().dropped(added);
    }
  }

  /** What a 32-bit kernel count grew by from {@code before} to {@code now} (it wraps around). */
  static long grown(long before, long now) {
    return (now - before) & 0xFFFF_FFFFL;
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    count(ctx.channel());
    super.close(ctx, promise);
  }
}
