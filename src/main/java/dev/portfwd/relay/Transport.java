package dev.portfwd.relay;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;

/**
 * The Netty transport the relay runs on. Every channel the relay creates comes from here, so the
 * two never mix.
 *
 * <p>{@code AUTO} picks NIO, even where epoll loads: in Netty 4.2.18 an epoll channel whose peer
 * has half-closed loses its epoll registration once it has no interest left (the handler deletes
 * the fd on an empty interest set but keeps it marked as added, so the next epoll_ctl MOD fails
 * with ENOENT), and the relay then cuts the rest of the reply to a client that sent its FIN
 * first. The relay's tests reproduce it (about one 8 MB half-closed echo in three). {@code
 * --transport epoll} still selects epoll for tables where no client half-closes.
 */
public record Transport(
    String name,
    Supplier<IoHandlerFactory> ioHandlers,
    Class<? extends ServerChannel> serverChannel,
    Class<? extends Channel> socketChannel,
    Class<? extends Channel> datagramChannel) {

  /** What {@code --transport} may ask for. */
  public enum Choice {
    AUTO,
    EPOLL,
    NIO
  }

  /**
   * The transport for {@code choice}: {@code AUTO} takes epoll when it is available.
   *
   * @throws IllegalStateException when epoll is asked for but cannot load, with the reason
   */
  public static Transport select(Choice choice) {
    boolean epoll = switch (choice) {
      case NIO -> false;
      case EPOLL -> {
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException("the epoll transport is not available: " + Epoll.unavailabilityCause());
        }
        yield true;
      }
      case AUTO -> false;
    };
    return epoll ? epoll() : nio();
  }

  static Transport epoll() {
    return new Transport(
        "epoll", EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class,
        EpollDatagramChannel.class);
  }

  static Transport nio() {
    return new Transport(
        "nio", NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class,
        NioDatagramChannel.class);
  }

  /** A group of {@code threads} event loops of this transport. */
  public EventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlers.get());
  }

  /**
   * SO_REUSEPORT for this transport. The relay sets it only where a table listens on a port both
   * on one address and on every address: Linux refuses that pair otherwise, and with it delivers
   * to the more specific socket, as the table means.
   */
  public io.netty.channel.ChannelOption<Boolean> reusePort() {
    return name.equals("epoll")
        ? io.netty.channel.unix.UnixChannelOption.SO_REUSEPORT
        : io.netty.channel.socket.nio.NioChannelOption.of(java.net.StandardSocketOptions.SO_REUSEPORT);
  }

  /** Why epoll is not used, for the start-up line; empty when it is. */
  public String reasonForNio() {
    if (name.equals("epoll")) {
      return "";
    }
    Throwable cause = Epoll.unavailabilityCause();
    return cause == null
        ? "epoll loads but loses data on half-closed connections in Netty 4.2.18; --transport epoll forces it"
        : "epoll unavailable: " + cause.getMessage();
  }
}
