package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

class TransportTest {

  // The relay sets no TCP_NODELAY option (one system call per socket less): it relies on this.
  @Test
  void makesEpollSocketsWithNaglesAlgorithmOff() {
    assumeTrue(Epoll.isAvailable(), "the epoll transport is not available here");
    assertNoDelay(new EpollSocketChannel());
  }

  @Test
  void makesNioSocketsWithNaglesAlgorithmOff() {
    assertNoDelay(new NioSocketChannel());
  }

  private static void assertNoDelay(Channel channel) {
    try {
      assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
    } finally {
      channel.unsafe().closeForcibly();
    }
  }
}
