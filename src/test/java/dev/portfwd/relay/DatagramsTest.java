package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import org.junit.jupiter.api.Test;

class DatagramsTest {

  private final UnpooledByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;

  @Test
  void copiesASmallDatagramOutOfItsLargeReceiveBuffer() {
    ByteBuf received = alloc.directBuffer(Datagrams.MAX_PAYLOAD);
    received.writeBytes(new byte[] {1, 2, 3});
    ByteBuf kept = Datagrams.compact(received, alloc);
    try {
      assertThat(received.refCnt()).as("the receive buffer is freed").isZero();
      assertThat(kept.capacity()).isEqualTo(3);
      assertThat(kept.getByte(2)).isEqualTo((byte) 3);
    } finally {
      kept.release();
    }
  }

  @Test
  void copiesASmallDatagramThatEpollHandsOnAsASliceOfItsReceiveBuffer() {
    ByteBuf received = alloc.directBuffer(Datagrams.MAX_PAYLOAD);
    received.writeBytes(new byte[] {4, 5, 6, 7});
    // What epoll's recvmsg fires: a slice whose own capacity is the datagram's length.
    ByteBuf slice = received.retainedSlice(0, 4);
    received.release();
    ByteBuf kept = Datagrams.compact(slice, alloc);
    try {
      assertThat(received.refCnt()).as("the receive buffer is freed").isZero();
      assertThat(kept.capacity()).isEqualTo(4);
      assertThat(kept.getByte(3)).isEqualTo((byte) 7);
    } finally {
      kept.release();
    }
  }

  @Test
  void keepsADatagramThatFillsItsBuffer() {
    ByteBuf received = alloc.directBuffer(Datagrams.MAX_PAYLOAD);
    received.writeZero(60_000);
    ByteBuf kept = Datagrams.compact(received, alloc);
    assertThat(kept).isSameAs(received);
    kept.release();
  }

  @Test
  void readsSixteenDatagramsPerWakeUp() {
    assertThat(((MaxMessagesRecvByteBufAllocator) Datagrams.RECEIVE).maxMessagesPerRead())
        .isEqualTo(16);
  }
}
