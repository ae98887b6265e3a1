package dev.portfwd.relay;

import dev.portfwd.model.ProxyProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;

/**
 * Builds the pipeline of a backend connection: the PROXY header encoder when asked, then the relay.
 */
final class TcpBackendInitializer extends ChannelInitializer<Channel> {

  private final Channel client;
  private final Route route;
  private final ConnectionFailure failure;
  private final IdleSweeper.Entry idle;

  /** {@code idle}: the connection's idle timeout, marked by the backend's data too; may be null. */
  TcpBackendInitializer(
      Channel client, Route route, ConnectionFailure failure, IdleSweeper.Entry idle) {
    this.client = client;
    this.route = route;
    this.failure = failure;
    this.idle = idle;
  }

  @Override
  protected void initChannel(Channel backend) {
    if (route.forward().proxyProtocol() != ProxyProtocol.NONE) {
      // The encoder turns the one HAProxyMessage written first into header bytes; data passes by.
      backend.pipeline().addLast("proxy-header", HAProxyMessageEncoder.INSTANCE);
    }
    backend.pipeline().addLast("relay", new TcpBackendHandler(client, route, failure, idle));
  }
}
