package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceiveBuffersTest {

  private static final int SIZE = 256 * 1024;
  private static final int OWN = 64 * 1024;

  private final UnpooledByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
  private final ReceiveBuffers buffers = new ReceiveBuffers(SIZE, 2, OWN);

  private RecvByteBufAllocator.Handle handle(int guess) {
    return buffers.around(new FixedRecvByteBufAllocator(guess)).newHandle();
  }

  @Test
  void aLargeReadGetsTheLoopsBufferAgainOnceItsReaderReleasedIt() {
    RecvByteBufAllocator.Handle handle = handle(SIZE);
    ByteBuf first = handle.allocate(alloc);
    first.writeBytes(new byte[] {1, 2, 3});
    first.release();
    ByteBuf second = handle.allocate(alloc);
    assertThat(second).isSameAs(first);
    assertThat(second.readableBytes()).as("handed out empty").isZero();
    assertThat(second.writableBytes()).isEqualTo(SIZE);
    second.release();
  }

  @Test
  void aBufferSomethingStillHoldsIsNotHandedOutUntilReleased() {
    RecvByteBufAllocator.Handle handle = handle(SIZE);
    ByteBuf queued = handle.allocate(alloc);
    queued.writeBytes(new byte[] {7, 8, 9});
    ByteBuf next = handle.allocate(alloc);
    assertThat(next).isNotSameAs(queued);
    assertThat(next.writableBytes()).as("the loop's second buffer").isEqualTo(SIZE);
    assertThat(queued.readableBytes()).as("the queued read is untouched").isEqualTo(3);
    assertThat(queued.getByte(0)).isEqualTo((byte) 7);
    next.release();
    queued.release();
    assertThat(queued.refCnt()).as("the loop keeps it").isEqualTo(1);
    ByteBuf again = handle.allocate(alloc);
    assertThat(again == queued || again == next).as("one of the loop's two").isTrue();
    again.release();
  }

  @Test
  void aReadThatFindsEveryBufferHeldGetsASmallerOneOfItsOwn() {
    RecvByteBufAllocator.Handle handle = handle(SIZE);
    List<ByteBuf> held = new ArrayList<>();
    held.add(handle.allocate(alloc));
    held.add(handle.allocate(alloc));
    ByteBuf own = handle.allocate(alloc);
    assertThat(own.capacity()).as("no more than ownSize waits for a slow reader").isEqualTo(OWN);
    assertThat(held).noneMatch(buffer -> buffer == own);
    own.release();
    assertThat(own.refCnt()).as("freed by its holder alone").isZero();
    held.forEach(ByteBuf::release);
    ByteBuf again = handle.allocate(alloc);
    assertThat(held).as("the loop's buffers serve again").anyMatch(buffer -> buffer == again);
    again.release();
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
  void eachThreadHasItsOwnBuffers() throws Exception {
    RecvByteBufAllocator.Handle handle = handle(SIZE);
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
