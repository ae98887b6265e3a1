package dev.portfwd.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * EmbeddedChannels that stand in for the relay's sockets in handler tests: a client with a real
 * address, a backend socket that Netty's Bootstrap can register on an embedded event loop, and one
 * that cannot be made, as when the process is out of file descriptors.
 */
final class EmbeddedSockets {

  private EmbeddedSockets() {}

  /** A transport whose backend sockets (TCP and UDP) are {@code socket}s. */
  static Transport transport(Class<? extends Channel> socket) {
    return new Transport(
        "embedded", NioIoHandler::newFactory, NioServerSocketChannel.class, socket, socket);
  }

  /** An accepted or listening socket with the addresses a real one would report. */
  static final class Peer extends EmbeddedChannel {
    private final InetSocketAddress remote;
    private final InetSocketAddress local;

    Peer(InetSocketAddress remote, InetSocketAddress local, ChannelHandler... handlers) {
      super(/* register= */ false, /* hasDisconnect= */ false, handlers);
      this.remote = remote;
      this.local = local;
      register0();
    }

    private void register0() {
      try {
        register();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected SocketAddress remoteAddress0() {
      return remote;
    }

    @Override
    protected SocketAddress localAddress0() {
      return local;
    }
  }

  /**
   * A backend socket Bootstrap makes and registers on the embedded loop of its client; its connect
   * succeeds at once (an EmbeddedChannel's own connect is unsupported).
   */
  public static final class Backend extends EmbeddedChannel {
    public Backend() {
      super(/* register= */ false, /* hasDisconnect= */ true);
    }

    @Override
    public ChannelFuture connect(SocketAddress remoteAddress) {
      return newPromise().setSuccess();
    }
  }

  /** A socket that cannot be made: socket() failed with EMFILE. */
  public static final class NoFileDescriptors extends EmbeddedChannel {
    public NoFileDescriptors() {
      throw new ChannelException(
          new IOException("newSocketStream(..) failed: Too many open files"));
    }
  }
}
