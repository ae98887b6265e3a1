package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ReceiveDropsTest {

  @Test
  void addsWhatTheKernelsCountGrewByAcrossItsWrapAround() {
    assertThat(ReceiveDrops.grown(3, 10)).isEqualTo(7);
    assertThat(ReceiveDrops.grown(10, 10)).isZero();
    assertThat(ReceiveDrops.grown(0xFFFF_FFF0L, 5)).isEqualTo(21);
  }

  @Test
  void countsNothingOnATransportWithoutTheKernelsCount() {
    ForwardCounters counters = new ForwardCounters("13102", "192.0.2.2:80", Protocol.UDP);
    EmbeddedChannel socket = new EmbeddedChannel(new ReceiveDrops(() -> counters));
    ReceiveDrops.countAt(socket);
    socket.close();
    assertThat(counters.snapshot().dropped()).isZero();
    assertThat(socket.isOpen()).as("the close passed on").isFalse();
  }
}
