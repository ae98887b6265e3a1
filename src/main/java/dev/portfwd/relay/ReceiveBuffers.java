package dev.portfwd.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Where the relay's large reads land. Netty's default allocator pools buffers of more than 16,896
 * bytes only when the heap may grow past 512 MiB; under the relay's heap cap every such read (each
 * datagram is read into {@link Datagrams#MAX_PAYLOAD} bytes, bulk TCP into up to 64 KiB) allocated
 * and zeroed a new direct buffer, and freed it after. A large read now goes into one buffer per
 * event loop, handed out again for the next read as soon as nothing but this class holds it: the
 * UDP handlers copy a small datagram out of it ({@link Datagrams#compact}), and a TCP read has
 * usually been written to the other socket before the next read. A buffer that something still
 * holds (a datagram or chunk waiting for its socket, a read Netty has not passed on yet) stays with
 * its holder, and the next read gets a new buffer, which becomes the loop's.
 *
 * <p>One instance per relay; it keeps one buffer per event-loop thread that has made a large read,
 * freed when the thread ends.
 */
final class ReceiveBuffers {

  /** The size of a loop's buffer: the largest datagram and the largest TCP read. */
  static final int SIZE = 65_536;

  /** Reads Netty sizes at no more than this stay with its (pooled) allocator. */
  private static final int POOLED = 16 * 1024;

  private final FastThreadLocal<ByteBuf> perLoop =
      new FastThreadLocal<>() {
        @Override
        protected void onRemoval(ByteBuf buffer) {
          buffer.release();
        }
      };

  /** {@code allocator}'s sizing and read loop, with its large reads made into the loop's buffer. */
  RecvByteBufAllocator around(RecvByteBufAllocator allocator) {
    return () -> new ReusingHandle((RecvByteBufAllocator.ExtendedHandle) allocator.newHandle());
  }

  /**
   * The calling thread's buffer, emptied, with one more reference for the caller; a new one when
   * the thread has none yet or something else still holds it.
   */
  ByteBuf take(ByteBufAllocator alloc) {
    ByteBuf buffer = perLoop.get();
    if (buffer == null || buffer.refCnt() != 1) {
      if (buffer != null) {
        buffer.release(); // its holder frees it
      }
      buffer = alloc.directBuffer(SIZE, SIZE);
      perLoop.set(buffer);
    }
    return buffer.clear().retain();
  }

  /** Netty's handle with {@link #allocate} replaced; the epoll transport needs the extended one. */
  private final class ReusingHandle extends RecvByteBufAllocator.DelegatingHandle
      implements RecvByteBufAllocator.ExtendedHandle {

    ReusingHandle(RecvByteBufAllocator.ExtendedHandle sizing) {
      super(sizing);
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return guess() > POOLED ? take(alloc) : super.allocate(alloc);
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return ((RecvByteBufAllocator.ExtendedHandle) delegate())
          .continueReading(maybeMoreDataSupplier);
    }
  }
}
