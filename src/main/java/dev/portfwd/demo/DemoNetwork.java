package dev.portfwd.demo;

import java.io.IOException;

/**
 * The topology of DESIGN.md in throwaway network namespaces, for {@code portfwd demo}:
 *
 * <pre>
 *  client 203.0.113.10 ── gateway 203.0.113.1 | 192.0.2.1 ── backend 192.0.2.2
 *                                                 backend's default route: 198.51.100.1 (elsewhere)
 * </pre>
 *
 * Only documentation addresses, only inside the namespaces it creates; nothing in the root
 * namespace changes. {@link #close} (and a shutdown hook, for Ctrl-C) kills every process in the
 * namespaces and deletes them. Names are random, so two demos never collide.
 */
public final class DemoNetwork extends ThrowawayNetwork {

  public static final String CLIENT = "203.0.113.10";
  public static final String GATEWAY_WAN = "203.0.113.1";
  public static final String GATEWAY_VPN = "192.0.2.1";
  public static final String BACKEND = "192.0.2.2";

  private DemoNetwork() {
    super("pfdemo", "demo");
  }

  /** Builds the three namespaces and their links; deletes what it made if a step fails. */
  public static DemoNetwork create() throws IOException {
    return built(new DemoNetwork());
  }

  @Override
  void build() throws IOException {
    String client = add("client");
    String gateway = add("gateway");
    String backend = add("backend");
    veth(gateway, "wan", client, "eth0");
    veth(gateway, "vpn", backend, "eth0");
    sh(
        gateway,
        "ip addr add 203.0.113.1/24 dev wan && ip addr add 192.0.2.1/24 dev vpn"
            + " && ip link set wan up && ip link set vpn up");
    sh(
        client,
        "ip addr add 203.0.113.10/24 dev eth0 && ip link set eth0 up && ip route add default via 203.0.113.1");
    // The backend's default route leads elsewhere (a veth uplink going nowhere), as behind the
    // original VPN.
    sh(
        backend,
        "ip addr add 192.0.2.2/24 dev eth0 && ip link set eth0 up"
            + " && ip link add uplink type veth peer name uplink-peer && ip link set uplink up && ip link set uplink-peer up"
            + " && ip addr add 198.51.100.2/24 dev uplink && ip route add default via 198.51.100.1");
  }
}
