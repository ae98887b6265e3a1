package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Works around a Netty 4.2.18 epoll bug that cuts data on half-closed TCP connections; lives in
 * Netty's package only because the one method it needs, {@code setFlag}, is not public.
 *
 * <p>The bug: when a channel's epoll interest set becomes empty, Netty's {@code EpollIoHandler}
 * deletes the fd from epoll but keeps the registration marked as added; the next interest change is
 * an {@code epoll_ctl(MOD)} that fails with ENOENT. The set becomes empty exactly after the peer
 * half-closes (Netty clears EPOLLIN and EPOLLRDHUP) while nothing is waiting to be written; the
 * next write that has to wait for EPOLLOUT then fails and Netty shuts the output down, so the rest
 * of the reply is lost. EPOLLERR in the interest set changes nothing in the kernel (epoll always
 * reports errors) but keeps the set from ever being empty.
 */
public final class PortfwdEpollGuard {

  private PortfwdEpollGuard() {}

  /**
   * Keeps {@code channel}'s epoll registration alive; a no-op for other transports. Called before
   * the channel registers, the flag is part of the registration's {@code epoll_ctl(ADD)}; after, it
   * costs an {@code epoll_ctl(MOD)} of its own.
   */
  public static void keepRegistered(Channel channel) {
    if (channel instanceof AbstractEpollChannel epoll && channel.isOpen()) {
      try {
        epoll.setFlag(Native.EPOLLERR);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** {@code channels} with {@link #keepRegistered} applied to each new channel. */
  public static <T extends Channel> ChannelFactory<T> guarding(ChannelFactory<T> channels) {
    return () -> {
      T channel = channels.newChannel();
      keepRegistered(channel);
      return channel;
    };
  }
}
