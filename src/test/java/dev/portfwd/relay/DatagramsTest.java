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
