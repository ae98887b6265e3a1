package dev.portfwd.relay;

import dev.portfwd.model.Protocol;
import io.netty.channel.Channel;
import java.util.Objects;

/**
 * One listening socket and the route it currently serves. The route is swapped by a reload (new
 * connections take the new one; open ones keep theirs), so it is read with volatile semantics from
 * the event loops.
 */
final class Listener {

  private final ListenerKey key;
  private volatile Route route;
  private volatile Channel channel;

  Listener(ListenerKey key, Route route) {
    this.key = key;
    this.route = Objects.requireNonNull(route, "route");
  }

  ListenerKey key() {
    return key;
  }

  Route route() {
    return route;
  }

  /**
   * Serves {@code newRoute} from now on. A UDP listener also hears of it on its event loop ({@link
   * RouteChanged}), to end the sessions that the new {@code from=} no longer allows.
   */
  void route(Route newRoute) {
    route = Objects.requireNonNull(newRoute, "route");
    Channel current = channel;
    if (current != null && key.protocol() == Protocol.UDP) {
      // Netty runs the event on the channel's own event loop.
      current.pipeline().fireUserEventTriggered(new RouteChanged(newRoute));
    }
  }

  /** The event a UDP listener's pipeline receives when a reload swapped its route. */
  record RouteChanged(Route route) {}

  void bound(Channel boundChannel) {
    channel = boundChannel;
  }

  /** Stops listening; connections accepted earlier are not touched. */
  void close() {
    Channel current = channel;
    if (current != null) {
      current.close().awaitUninterruptibly();
    }
  }
}
