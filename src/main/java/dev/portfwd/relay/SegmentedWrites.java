package dev.portfwd.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Sends the datagrams of one flush that go to the same place and have the same size as one
 * UDP_SEGMENT write (generic segmentation offload): the kernel routes, filters and hands the batch
 * to the device once, and it is split into the same datagrams late, by the device or by the
 * receiving host. One client's datagrams queue for its session's socket between two flushes, and a
 * backend's replies for the listening socket.
 *
 * <p>Only datagrams that fit any IPv6 path unfragmented are batched ({@link #MAX_SEGMENT}): the
 * kernel refuses a segment larger than the path's MTU, and refuses segmentation over IPsec or a
 * device without checksum offload. A batch the kernel refuses goes out again as single datagrams,
 * and the socket sends single datagrams from then on. What the handler holds until the flush is at
 * most one read burst of small datagrams: Netty counts it against the socket's queue once passed
 * on.
 */
final class SegmentedWrites extends ChannelOutboundHandlerAdapter {

  private static final Logger LOG = Logger.getLogger(SegmentedWrites.class.getPackageName());

  /** 1,280 bytes, IPv6's minimum MTU, less its 40-byte header and UDP's 8. */
  static final int MAX_SEGMENT = 1_232;

  /** Linux's UDP_MAX_SEGMENTS before 6.9 (128 since). */
  static final int MAX_SEGMENTS = 64;

  private static final int EIO = 5;
  private static final int EINVAL = 22;
  private static final int EMSGSIZE = 90;

  /** The most one IPv4 datagram carries, and so one batch. */
  static final int MAX_BATCH = 65_507;

  // Netty wants a sender or a recipient, the kernel neither for a connected socket's peer.
  private static final InetSocketAddress CONNECTED = new InetSocketAddress(0);

  private final List<ByteBuf> held = new ArrayList<>();
  // The recipient of what is held (null: the connected peer), all the same.
  private InetSocketAddress heldFor;
  private boolean refused;

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!refused && promise.isVoid()) {
      ByteBuf content = null;
      InetSocketAddress recipient = null;
      if (msg instanceof ByteBuf datagram) {
        content = datagram;
      } else if (msg instanceof DatagramPacket packet
          && !(packet instanceof SegmentedDatagramPacket)) {
        content = packet.content();
        recipient = packet.recipient();
      }
      if (content != null
          && content.readableBytes() > 0
          && content.readableBytes() <= MAX_SEGMENT) {
        if (!held.isEmpty() && !Objects.equals(recipient, heldFor)) {
          passOn(ctx);
        }
        heldFor = recipient;
        held.add(content);
        return;
      }
    }
    passOn(ctx);
    ctx.write(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    passOn(ctx);
    ctx.flush();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    release();
    super.close(ctx, promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    held.forEach(ByteBuf::release);
    held.clear();
  }

  /** Writes what is held: each run of equal sizes as one batch, a datagram alone as it is. */
  private void passOn(ChannelHandlerContext ctx) {
    int n = held.size();
    int start = 0;
    while (start < n) {
      int size = held.get(start).readableBytes();
      int end = start + 1;
      int total = size;
      while (end < n && end - start < MAX_SEGMENTS) {
        int next = held.get(end).readableBytes();
        if (next > size || total + next > MAX_BATCH) {
          break;
        }
        total += next;
        end++;
        if (next < size) {
          break; // only a batch's last datagram may be shorter
        }
      }
      if (end - start == 1) {
        ctx.write(single(held.get(start), heldFor), ctx.voidPromise());
      } else {
        writeBatch(ctx, held.subList(start, end), size, total);
      }
      start = end;
    }
    held.clear();
  }

  /** One datagram as the channel takes it: bare towards the connected peer, else addressed. */
  private static Object single(ByteBuf content, InetSocketAddress recipient) {
    return recipient == null ? content : new DatagramPacket(content, recipient);
  }

  private void writeBatch(ChannelHandlerContext ctx, List<ByteBuf> datagrams, int size, int total) {
    ByteBuf batch = ctx.alloc().directBuffer(total, total);
    int[] sizes = new int[datagrams.size()];
    for (int i = 0; i < sizes.length; i++) {
      ByteBuf datagram = datagrams.get(i);
      sizes[i] = datagram.readableBytes();
      batch.writeBytes(datagram, datagram.readerIndex(), sizes[i]);
      datagram.release();
    }
    InetSocketAddress recipient = heldFor;
    // One more reference, kept until the kernel took the batch: a refused one is sent again.
    ChannelFuture written =
        ctx.write(
            new SegmentedDatagramPacket(
                batch.retain(), size, recipient, recipient == null ? CONNECTED : null));
    written.addListener(
        done -> {
          if (!done.isSuccess() && ctx.channel().isActive() && refusesSegments(done.cause())) {
            resendSingly(ctx, batch, sizes, recipient, done.cause());
          } else {
            // Sent, or lost as its datagrams would have been alone (a closed socket, a port that
            // refuses).
            batch.release();
          }
        });
  }

  private static String describe(SocketAddress address) {
    return address instanceof InetSocketAddress inet
        ? DualStackAddresses.format(inet)
        : String.valueOf(address);
  }

  /**
   * Whether {@code cause} is the kernel refusing the segmentation, not the datagrams: EIO (IPsec,
   * no checksum offload), EINVAL (too many segments), EMSGSIZE (a segment larger than the path's
   * MTU), Linux's numbers on the architectures it shares them (x86, ARM, RISC-V, s390, POWER).
   */
  static boolean refusesSegments(Throwable cause) {
    if (cause instanceof Errors.NativeIoException error) {
      int errno = -error.expectedErr();
      return errno == EIO || errno == EINVAL || errno == EMSGSIZE;
    }
    return false;
  }

  private void resendSingly(
      ChannelHandlerContext ctx,
      ByteBuf batch,
      int[] sizes,
      InetSocketAddress recipient,
      Throwable cause) {
    if (!refused) {
      refused = true;
      SocketAddress towards = recipient != null ? recipient : ctx.channel().remoteAddress();
      LOG.fine(
          () ->
              "udp socket "
                  + describe(ctx.channel().localAddress())
                  + " towards "
                  + describe(towards)
                  + " sends datagrams one by one: the kernel refused a segmented write ("
                  + cause.getMessage()
                  + ")");
    }
    // Netty is inside its write loop here, which ignores a flush: write from a task of its own.
    ctx.executor()
        .execute(
            () -> {
              int offset = 0;
              for (int size : sizes) {
                ByteBuf content = batch.retainedSlice(offset, size);
                offset += size;
                ctx.write(single(content, recipient), ctx.voidPromise());
              }
              batch.release();
              ctx.flush();
            });
  }
}
