import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.RawUnixChannelOption;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the relay's look at the kernel's drops costs an event loop: SO_MEMINFO on SOCKETS UDP
 * sockets, read the way ReceiveDrops reads it, ROUNDS times. Run by run.sh.
 */
public final class DropsLookBench {
  public static void main(String[] args) throws Exception {
    int sockets = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    RawUnixChannelOption meminfo = new RawUnixChannelOption("SO_MEMINFO", 1, 55, 36);
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < sockets; i++) {
      channels.add(
          new Bootstrap()
              .group(group)
              .channel(EpollDatagramChannel.class)
              .handler(new ChannelInboundHandlerAdapter())
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel());
    }
    for (int round = 0; round < rounds; round++) {
      long nanos =
          group
              .next()
              .submit(
                  () -> {
                    long start = System.nanoTime();
                    long drops = 0;
                    for (Channel channel : channels) {
                      drops += channel.config().getOption(meminfo).getInt(32);
                    }
                    return System.nanoTime() - start + (drops < 0 ? 1 : 0);
                  })
              .get();
      System.out.printf(
          "round %d: %d sockets in %.1f ms, %.2f us each%n",
          round + 1, sockets, nanos / 1e6, nanos / 1e3 / sockets);
    }
    group.shutdownGracefully().sync();
  }
}
