package dev.portfwd.demo;

import dev.portfwd.host.CommandResult;
import java.io.IOException;
import java.util.List;

/**
 * An HA pair in throwaway network namespaces, for {@code portfwd demo --ha} and the failover tests:
 *
 * <pre>
 *  client 203.0.113.10 ─┐ public bridge        VPN bridge ┌─ backend 192.0.2.2
 *        gw-a 203.0.113.2 ├── wan | vpn ──────────────────┤ 192.0.2.1 gw-a
 *        gw-b 203.0.113.3 ┘   (virtual 203.0.113.1)       └ 192.0.2.3 gw-b (virtual 192.0.2.254)
 *        gw-a sync 198.51.100.1 ──── veth ──── 198.51.100.2 gw-b sync (conntrackd)
 * </pre>
 *
 * The bridges live in a namespace of their own ({@code switch}); nothing in the root namespace
 * changes. {@link #close} (and a shutdown hook, for Ctrl-C) kills every process in the namespaces
 * and deletes them. Names are random, so two runs never collide.
 */
public final class HaDemoNetwork extends ThrowawayNetwork {

  public static final String CLIENT = "203.0.113.10";
  public static final String VIRTUAL_PUBLIC = "203.0.113.1";
  public static final String VIRTUAL_VPN = "192.0.2.254";
  public static final String BACKEND = "192.0.2.2";
  public static final List<String> GATEWAYS = List.of("gw-a", "gw-b");

  /** The HA description of this network; both gateways use it. */
  public static final String DESCRIPTION =
      """
      # portfwd demo --ha: two gateways sharing 203.0.113.1 (public) and 192.0.2.254 (VPN side)
      virtual-public  203.0.113.1/24
      virtual-vpn     192.0.2.254/24
      router-id       51
      secret          demopass
      advert          100ms
      gateway gw-a  priority=150  public=203.0.113.2%wan  vpn=192.0.2.1%vpn  sync=198.51.100.1%sync
      gateway gw-b  priority=100  public=203.0.113.3%wan  vpn=192.0.2.3%vpn  sync=198.51.100.2%sync
      """;

  private HaDemoNetwork() {
    super("pfha", "demo --ha");
  }

  /** Builds the namespaces, bridges and links; deletes what it made if a step fails. */
  public static HaDemoNetwork create() throws IOException {
    return built(new HaDemoNetwork());
  }

  @Override
  void build() throws IOException {
    String sw = add("switch");
    String client = add("client");
    String a = add("gw-a");
    String b = add("gw-b");
    String backend = add("backend");
    sh(
        sw,
        "ip link add pub type bridge && ip link add vpn type bridge"
            + " && ip link set pub up && ip link set vpn up");
    port(client, "eth0", "client", "pub");
    port(a, "wan", "a-wan", "pub");
    port(b, "wan", "b-wan", "pub");
    port(a, "vpn", "a-vpn", "vpn");
    port(b, "vpn", "b-vpn", "vpn");
    port(backend, "eth0", "backend", "vpn");
    veth(a, "sync", b, "sync");
    sh(client, "ip addr add 203.0.113.10/24 dev eth0 && ip link set eth0 up");
    sh(
        a,
        "ip addr add 203.0.113.2/24 dev wan && ip addr add 192.0.2.1/24 dev vpn"
            + " && ip addr add 198.51.100.1/30 dev sync && ip link set sync up");
    sh(
        b,
        "ip addr add 203.0.113.3/24 dev wan && ip addr add 192.0.2.3/24 dev vpn"
            + " && ip addr add 198.51.100.2/30 dev sync && ip link set sync up");
    // No default route on the backend: only translation to the virtual address brings replies
    // back, and only through the active gateway.
    sh(backend, "ip addr add 192.0.2.2/24 dev eth0 && ip link set eth0 up");
  }

  /** A veth from {@code ns} (named {@code inside}) to a port of {@code bridge} in the switch. */
  private void port(String ns, String inside, String switchSide, String bridge) throws IOException {
    veth(ns, inside, namespace("switch"), switchSide);
    sh(ns, "ip link set " + inside + " up");
    sh(namespace("switch"), "ip link set " + switchSide + " master " + bridge + " up");
  }

  /** Runs a shell line in {@code role}'s namespace; fails on a non-zero exit. */
  public CommandResult shIn(String role, String script) throws IOException {
    return sh(namespace(role), script);
  }

  /** The processes running in {@code role}'s namespace. */
  public List<Long> pids(String role) throws IOException {
    CommandResult result = run(List.of("ip", "netns", "pids", namespace(role)));
    return result
        .stdout()
        .lines()
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(Long::parseLong)
        .toList();
  }
}
