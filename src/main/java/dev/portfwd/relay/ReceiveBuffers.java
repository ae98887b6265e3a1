package dev.portfwd.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Where the relay's large reads land. Netty's default allocator pools buffers of more than 16,896
 * bytes only when the heap may grow past 512 MiB; under the relay's heap cap every such read (each
 * datagram is read into {@link Datagrams#MAX_PAYLOAD} bytes, bulk TCP into up to 256 KiB) allocated
 * and zeroed a new direct buffer, and freed it after. A large read now goes into one of a few
 * buffers kept per event loop, handed out again as soon as nothing but this class holds it: the UDP
 * handlers copy a small datagram out of it ({@link Datagrams#compact}), and a TCP read has usually
 * been written to the other socket before the next read.
 *
 * <p>A buffer something still holds (a datagram or chunk waiting for a slow socket, a read Netty
 * has not passed on yet) stays out of use until it is released. When every buffer of the loop is
 * held, a read gets a buffer of its own of at most {@code ownSize} bytes, freed by its holder: a
 * slow reader then keeps no more than that waiting in the relay, however large the loop's buffers
 * are, and the loop's buffers are at most {@code perLoop} times {@code size}.
 *
 * <p>One instance per kind of read (TCP, UDP) of a relay; buffers are freed when their thread ends.
 */
final class ReceiveBuffers {

  /** Reads Netty sizes at no more than this stay with its (pooled) allocator. */
  private static final int POOLED = 16 * 1024;

  private final int size;
  private final int ownSize;
  private final FastThreadLocal<ByteBuf[]> loops;

  /**
   * Up to {@code perLoop} buffers of {@code size} bytes per event loop; reads that find all of them
   * held get {@code ownSize} bytes at most.
   */
  ReceiveBuffers(int size, int perLoop, int ownSize) {
    this.size = size;
    this.ownSize = ownSize;
    this.loops =
        new FastThreadLocal<>() {
          @Override
          protected ByteBuf[] initialValue() {
            return new ByteBuf[perLoop];
          }

          @Override
          protected void onRemoval(ByteBuf[] buffers) {
            for (ByteBuf buffer : buffers) {
              if (buffer != null) {
                buffer.release();
              }
            }
          }
        };
  }

  /**
   * {@code allocator}'s sizing and read loop, with its large reads made into the loop's buffers.
   */
  RecvByteBufAllocator around(RecvByteBufAllocator allocator) {
    return () -> new ReusingHandle((RecvByteBufAllocator.ExtendedHandle) allocator.newHandle());
  }

  /**
   * A free buffer of the calling thread's, emptied, with one more reference for the caller; when
   * all are held, a new buffer of at most {@code ownSize} bytes that only the caller holds.
   */
  ByteBuf take(ByteBufAllocator alloc, int guess) {
    ByteBuf[] buffers = loops.get();
    for (int i = 0; i < buffers.length; i++) {
      ByteBuf buffer = buffers[i];
      if (buffer == null) {
        buffer = alloc.directBuffer(size, size);
        buffers[i] = buffer;
      } else if (buffer.refCnt() != 1) {
        continue;
      }
      return buffer.clear().retain();
    }
    return alloc.directBuffer(Math.min(guess, ownSize));
  }

  /** Netty's handle with {@link #allocate} replaced; the epoll transport needs the extended one. */
  private final class ReusingHandle extends RecvByteBufAllocator.DelegatingHandle
      implements RecvByteBufAllocator.ExtendedHandle {

    ReusingHandle(RecvByteBufAllocator.ExtendedHandle sizing) {
      super(sizing);
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      int guess = guess();
      return guess > POOLED ? take(alloc, guess) : super.allocate(alloc);
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return ((RecvByteBufAllocator.ExtendedHandle) delegate())
          .continueReading(maybeMoreDataSupplier);
    }
  }
}
