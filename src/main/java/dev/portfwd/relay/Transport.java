package dev.portfwd.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
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
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.EventExecutorChooserFactory;
import java.net.StandardSocketOptions;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The Netty transport the relay runs on. Every channel the relay creates comes from here, so the
 * two never mix.
 *
 * <p>{@code AUTO} takes epoll where it loads. Netty 4.2.18's epoll loses the registration of a
 * channel whose peer half-closed, which cut replies to clients that send their FIN first; the relay
 * works around it ({@code io.netty.channel.epoll.PortfwdEpollGuard}) and its half-close test covers
 * it.
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
    boolean epoll =
        switch (choice) {
          case NIO -> false;
          case EPOLL -> {
            if (!Epoll.isAvailable()) {
              throw new IllegalStateException(
                  "the epoll transport is not available: " + Epoll.unavailabilityCause());
            }
            yield true;
          }
          case AUTO -> Epoll.isAvailable();
        };
    return epoll ? epoll() : nio();
  }

  static Transport epoll() {
    return new Transport(
        "epoll",
        EpollIoHandler::newFactory,
        EpollServerSocketChannel.class,
        EpollSocketChannel.class,
        EpollDatagramChannel.class);
  }

  static Transport nio() {
    return new Transport(
        "nio",
        NioIoHandler::newFactory,
        NioServerSocketChannel.class,
        NioSocketChannel.class,
        NioDatagramChannel.class);
  }

  /** A group of {@code threads} event loops of this transport. */
  public EventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlers.get());
  }

  /** A group of {@code threads} event loops of this transport whose loops {@code chooser} picks. */
  EventLoopGroup newGroup(int threads, EventExecutorChooserFactory chooser) {
    return new MultiThreadIoEventLoopGroup(threads, (Executor) null, chooser, ioHandlers.get());
  }

  /**
   * SO_REUSEPORT for this transport. The relay sets it only where a table listens on a port both on
   * one address and on every address: Linux refuses that pair otherwise, and with it delivers to
   * the more specific socket, as the table means.
   */
  public ChannelOption<Boolean> reusePort() {
    return name.equals("epoll")
        ? UnixChannelOption.SO_REUSEPORT
        : NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
  }

  /**
   * Whether a datagram channel of this transport takes UDP_SEGMENT writes ({@link
   * SegmentedWrites}).
   */
  boolean segmentsDatagrams() {
    return name.equals("epoll") && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
  }

  /** Why epoll is not used, for the start-up line; empty when it is. */
  public String reasonForNio() {
    if (name.equals("epoll")) {
      return "";
    }
    Throwable cause = Epoll.unavailabilityCause();
    return cause == null ? "chosen" : "epoll unavailable: " + cause.getMessage();
  }
}
