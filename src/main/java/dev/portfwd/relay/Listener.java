package dev.portfwd.relay;

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

  void route(Route newRoute) {
    route = Objects.requireNonNull(newRoute, "route");
  }

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
