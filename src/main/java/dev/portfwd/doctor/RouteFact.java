package dev.portfwd.doctor;

import java.net.InetAddress;
import java.util.Optional;

/**
 * How the gateway routes to one backend, from {@code ip -j route get} and {@code ip -j route show
 * match}.
 *
 * @param type {@code unicast}, {@code local}, {@code unreachable}, ...; {@code none} when there is
 *     no route
 * @param device the outgoing interface
 * @param via the next hop when the route goes through a router
 * @param source the gateway's source address on that path
 * @param prefix the most specific route that covers the backend ({@code default}, {@code
 *     192.0.2.0/24}), when known
 * @param error what {@code ip route get} said when it failed
 */
public record RouteFact(
    InetAddress destination,
    String type,
    Optional<String> device,
    Optional<InetAddress> via,
    Optional<InetAddress> source,
    Optional<String> prefix,
    String error) {

  /** No route at all ({@code Network is unreachable}). */
  public static RouteFact none(InetAddress destination, String error) {
    return new RouteFact(
        destination,
        "none",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        error);
  }

  public boolean exists() {
    return type.equals("unicast") || type.equals("local");
  }

  public boolean isDefault() {
    return prefix.map("default"::equals).orElse(false);
  }
}
