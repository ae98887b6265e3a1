package dev.portfwd.demo;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.host.ThrowawayNamespaces;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
public final class DemoNetwork implements AutoCloseable {

  public static final String CLIENT = "203.0.113.10";
  public static final String GATEWAY_WAN = "203.0.113.1";
  public static final String GATEWAY_VPN = "192.0.2.1";
  public static final String BACKEND = "192.0.2.2";

  private final CommandRunner host = new ProcessCommandRunner();
  private final String id = HexFormat.of().formatHex(new SecureRandom().generateSeed(2));
  private final Map<String, String> namespaces = new LinkedHashMap<>();
  private final ThrowawayNamespaces throwaway = new ThrowawayNamespaces(host, "demo");

  private DemoNetwork() {}

  /** Builds the three namespaces and their links; deletes what it made if a step fails. */
  public static DemoNetwork create() throws IOException {
    DemoNetwork network = new DemoNetwork();
    try {
      network.build();
      return network;
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
  }

  private void build() throws IOException {
    String client = add("client");
    String gateway = add("gateway");
    String backend = add("backend");
    run(
        List.of(
            "ip", "link", "add", "wan", "netns", gateway, "type", "veth", "peer", "name", "eth0",
            "netns", client));
    run(
        List.of(
            "ip", "link", "add", "vpn", "netns", gateway, "type", "veth", "peer", "name", "eth0",
            "netns", backend));
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

  private String add(String role) throws IOException {
    String name = "pfdemo-" + id + "-" + role;
    throwaway.add(name);
    namespaces.put(role, name);
    return name;
  }

  /** The namespace name of {@code role} (client, gateway, backend). */
  public String namespace(String role) {
    return namespaces.get(role);
  }

  /** A runner whose programs run inside {@code role}'s namespace. */
  public CommandRunner runner(String role) {
    return ProcessCommandRunner.inNamespace(namespace(role));
  }

  /** Starts a long-running program in {@code role}'s namespace; it dies with the namespace. */
  public Process spawn(String role, List<String> argv) throws IOException {
    return throwaway.spawn(namespace(role), argv);
  }

  /** Runs a shell line in {@code ns}; fails on a non-zero exit. */
  CommandResult sh(String ns, String script) throws IOException {
    return run(List.of("ip", "netns", "exec", ns, "sh", "-c", script));
  }

  private CommandResult run(List<String> argv) throws IOException {
    CommandResult result = host.run(argv);
    if (!result.succeeded()) {
      throw new IOException(result.describeFailure());
    }
    return result;
  }

  @Override
  public void close() {
    throwaway.close();
  }
}
