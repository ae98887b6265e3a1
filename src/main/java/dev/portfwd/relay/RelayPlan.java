package dev.portfwd.relay;

import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Expands a table into the sockets the relay listens on: one per protocol and external port (a
 * range of 10 ports with {@code tcp,udp} is 20 sockets), each with the backend port of the same
 * position in the backend range.
 */
final class RelayPlan {

  private RelayPlan() {}

  /** Every listener {@code table} asks for, in table order. The validator rules out duplicates. */
  static Map<ListenerKey, Route> routes(ForwardTable table, RelayCounters counters) {
    Map<ListenerKey, Route> routes = new LinkedHashMap<>();
    for (Forward forward : table.forwards()) {
      for (Protocol protocol : forward.protocolList()) {
        ForwardCounters forwardCounters = counters.of(forward, protocol);
        for (int i = 0; i < forward.externalPorts().size(); i++) {
          ListenerKey key =
              new ListenerKey(
                  protocol, forward.externalAddress(), forward.externalPorts().first() + i);
          int port = forward.backendPorts().first() + i;
          List<InetSocketAddress> backends =
              forward.pool().addresses().stream()
                  .map(address -> new InetSocketAddress(address, port))
                  .toList();
          routes.putIfAbsent(
              key,
              new Route(forward, backends.get(0), backends, forwardCounters, new AtomicLong()));
        }
      }
    }
    return routes;
  }
}
