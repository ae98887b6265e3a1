package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import org.junit.jupiter.api.Test;

class ReceiveBuffersTest {

  private final UnpooledByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
  private final ReceiveBuffers buffers = new ReceiveBuffers();

  private RecvByteBufAllocator.Handle handle(int guess) {
    return buffers.around(new FixedRecvByteBufAllocator(guess)).newHandle();
  }

  @Test
  void aLargeReadGetsTheLoopsBufferAgainOnceItsReaderReleasedIt() {
    RecvByteBufAllocator.Handle handle = handle(Datagrams.MAX_PAYLOAD);
    ByteBuf first = handle.allocate(alloc);
    first.writeBytes(new byte[] {1, 2, 3});
    first.release();
    ByteBuf second = handle.allocate(alloc);
    assertThat(second).isSameAs(first);
    assertThat(second.readableBytes()).as("handed out empty").isZero();
    assertThat(second.writableBytes()).isEqualTo(ReceiveBuffers.SIZE);
    second.release();
  }

  @Test
  void aBufferSomethingStillHoldsIsLeftToItsHolder() {
    RecvByteBufAllocator.Handle handle = handle(Datagrams.MAX_PAYLOAD);
    ByteBuf queued = handle.allocate(alloc);
    queued.writeBytes(new byte[] {7, 8, 9});
    ByteBuf next = handle.allocate(alloc);
    try {
      assertThat(next).isNotSameAs(queued);
      assertThat(queued.readableBytes()).as("the queued read is untouched").isEqualTo(3);
      assertThat(queued.getByte(0)).isEqualTo((byte) 7);
      queued.release();
      assertThat(queued.refCnt()).as("freed by its holder, the loop holds the new one").isZero();
    } finally {
      next.release();
    }
    assertThat(handle.allocate(alloc)).as("the new buffer is the loop's now").isSameAs(next);
  }

  @Test
  void aSmallReadStaysWithNettysAllocator() {
    RecvByteBufAllocator.Handle handle = handle(2048);
    ByteBuf first = handle.allocate(alloc);
    assertThat(first.capacity()).isEqualTo(2048);
    first.release();
    assertThat(first.refCnt()).isZero();
  }

  @Test
  void eachThreadHasItsOwnBuffer() throws Exception {
    RecvByteBufAllocator.Handle handle = handle(Datagrams.MAX_PAYLOAD);
    ByteBuf here = handle.allocate(alloc);
    here.release();
    ByteBuf[] there = new ByteBuf[1];
    Thread other = new Thread(() -> there[0] = handle.allocate(alloc));
    other.start();
    other.join();
    assertThat(there[0]).isNotSameAs(here);
    there[0].release();
  }
}
