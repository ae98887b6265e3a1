package dev.portfwd.relay;

import dev.portfwd.model.Protocol;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One listening socket and the route it currently serves. The route is swapped by a reload (new
 * connections take the new one; open ones keep theirs), so it is read with volatile semantics from
 * the event loops.
 *
 * <p>A UDP listener without an address also has a socket on each address of the host ({@link
 * LocalAddresses}), so that a client is answered from the address it wrote to; the wildcard socket
 * still hears addresses that appeared since the last look. All of a UDP listener's sockets share
 * one event loop and one frontend handler, so its sessions and limits stay one table per port. The
 * per-address sockets are changed by the {@link Relay} under its lock only.
 */
final class Listener {

  private final ListenerKey key;
  private volatile Route route;
  private volatile Channel channel;
  private final Map<InetAddress, Channel> perAddress = new LinkedHashMap<>();
  private final Set<InetAddress> unbindable = new HashSet<>();
  private EventLoop loop;
  private UdpFrontendHandler udpFrontend;

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

  /** The wildcard or the line's address this listener is bound to; null before it is bound. */
  InetAddress boundAddress() {
    Channel current = channel;
    return current == null ? null : DualStackAddresses.unmap(current.localAddress()).getAddress();
  }

  /** Gives a UDP listener the event loop and frontend handler all its sockets share. */
  void udp(EventLoop sharedLoop, UdpFrontendHandler frontend) {
    loop = sharedLoop;
    udpFrontend = frontend;
  }

  EventLoop loop() {
    return loop;
  }

  UdpFrontendHandler udpFrontend() {
    return udpFrontend;
  }

  /** True for a UDP listener without an address: it answers from a socket per local address. */
  boolean answersPerAddress() {
    return key.protocol() == Protocol.UDP && key.address().isEmpty();
  }

  Map<InetAddress, Channel> perAddress() {
    return perAddress;
  }

  /**
   * Notes that {@code address} could not be bound; true the first time (to log it once), until
   * {@link #forgetUnbindable} drops it.
   */
  boolean unbindable(InetAddress address) {
    return unbindable.add(address);
  }

  /** Forgets that {@code address} failed (it was bound since), so a new failure is logged. */
  void forgetUnbindable(InetAddress address) {
    unbindable.remove(address);
  }

  /** Forgets the failures of addresses the host no longer has, so a return is logged again. */
  void forgetUnbindable(Set<InetAddress> present) {
    unbindable.retainAll(present);
  }

  /** Stops listening; connections accepted earlier are not touched. */
  void close() {
    Channel current = channel;
    if (current != null) {
      current.close().awaitUninterruptibly();
    }
    for (Channel socket : perAddress.values()) {
      socket.close().awaitUninterruptibly();
    }
    perAddress.clear();
  }
}
