package dev.portfwd.testing;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.host.ThrowawayNamespaces;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference topology of DESIGN.md, built from network namespaces that this object creates and
 * {@link #close} deletes (a shutdown hook deletes them too if the JVM is stopped early):
 *
 * <pre>
 *  client ns               gateway ns                         backend ns
 *  203.0.113.10 ── wan ── 203.0.113.1 | 192.0.2.1 ── vpn ── 192.0.2.2
 *  2001:db8:1::10         2001:db8:1::1 | 2001:db8:2::1       2001:db8:2::2
 *                                                              │ default route
 *                                                   198.51.100.1 / 2001:db8:3::1 (a dead end)
 * </pre>
 *
 * <p>{@code wan} and {@code vpn} are bridges in the gateway, so {@link #addClient} and {@link
 * #addVpnHost} can attach more hosts (a second client for {@code from=}, a second VPN host for
 * hairpin). The backend's default route leads into a dummy interface: replies that do not go back
 * through the gateway are lost, exactly the original failure. IP forwarding in the gateway starts
 * off, as on a fresh host. Namespace names are random so parallel runs never collide.
 */
public final class Topology implements AutoCloseable {

  public static final String GATEWAY_WAN = "203.0.113.1";
  public static final String GATEWAY_VPN = "192.0.2.1";
  public static final String CLIENT = "203.0.113.10";
  public static final String BACKEND = "192.0.2.2";
  public static final String GATEWAY_WAN6 = "2001:db8:1::1";
  public static final String GATEWAY_VPN6 = "2001:db8:2::1";
  public static final String CLIENT6 = "2001:db8:1::10";
  public static final String BACKEND6 = "2001:db8:2::2";

  /**
   * The time limit of what a test runs here (traffic generators, the portfwd jar): the tests bound
   * themselves, and the runner's 30 s default is meant for portfwd's own programs.
   */
  public static final Duration COMMAND_LIMIT = Duration.ofMinutes(10);

  private final String id = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
  private final Map<String, String> namespaces = new LinkedHashMap<>();
  private final ThrowawayNamespaces throwaway =
      new ThrowawayNamespaces(new ProcessCommandRunner(), "topology");
  private int links;

  private Topology() {}

  /** Builds the reference topology with one client and one backend. */
  public static Topology reference() {
    KernelAccess.require();
    Topology topology = new Topology();
    try {
      topology.build();
      return topology;
    } catch (RuntimeException | Error e) {
      topology.close();
      throw e;
    }
  }

  private void build() {
    String gateway = create("gateway");
    sh(
        gateway,
        // Fixed MAC addresses: a bridge without one takes the lowest of its ports' and changes it
        // when a host joins (addClient, addVpnHost), and the hosts that knew the old one lose
        // what they send the gateway until their neighbour entry expires (tens of seconds).
        "ip link add wan address 02:00:00:00:00:01 type bridge && ip link set wan up"
            + " && ip link add vpn address 02:00:00:00:00:02 type bridge && ip link set vpn up"
            + " && ip addr add 203.0.113.1/24 dev wan && ip addr add 192.0.2.1/24 dev vpn"
            + " && ip addr add 2001:db8:1::1/64 dev wan nodad && ip addr add 2001:db8:2::1/64 dev vpn nodad");
    addClient("client", CLIENT, CLIENT6);
    addVpnHost("backend", BACKEND, BACKEND6);
    String backend = namespace("backend");
    sh(
        backend,
        "ip link add uplink type veth peer name uplink-peer && ip link set uplink up && ip link set uplink-peer up"
            + " && ip addr add 198.51.100.2/24 dev uplink && ip route add default via 198.51.100.1"
            + " && ip addr add 2001:db8:3::2/64 dev uplink nodad && ip -6 route add default via 2001:db8:3::1");
  }

  /** Adds a host on the wan side, default route via the gateway; returns its namespace name. */
  public String addClient(String role, String address, String address6) {
    String ns = create(role);
    attach(ns, "wan", address + "/24", address6 == null ? null : address6 + "/64");
    sh(
        ns,
        "ip route add default via "
            + GATEWAY_WAN
            + (address6 == null ? "" : " && ip -6 route add default via " + GATEWAY_WAN6));
    return ns;
  }

  /**
   * Adds a host on the vpn side. Its only route is its own subnet: traffic to anywhere else follows
   * whatever default route the test adds (the backend's goes to the dead end).
   */
  public String addVpnHost(String role, String address, String address6) {
    String ns = create(role);
    attach(ns, "vpn", address + "/24", address6 == null ? null : address6 + "/64");
    return ns;
  }

  private void attach(String ns, String bridge, String cidr, String cidr6) {
    String gateway = namespace("gateway");
    String outside = "v" + (links++) + bridge;
    run(
        "ip", "link", "add", outside, "netns", gateway, "type", "veth", "peer", "name", "eth0",
        "netns", ns);
    sh(
        gateway,
        "ip link set " + outside + " master " + bridge + " && ip link set " + outside + " up");
    sh(
        ns,
        "ip addr add "
            + cidr
            + " dev eth0 && ip link set eth0 up"
            + (cidr6 == null ? "" : " && ip addr add " + cidr6 + " dev eth0 nodad"));
  }

  private String create(String role) {
    String name = "pf-" + id + "-" + role;
    try {
      throwaway.add(name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    namespaces.put(role, name);
    sh(
        name,
        "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad"
            + " && echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad");
    return name;
  }

  /** The real namespace name of {@code role} ("client", "gateway", "backend", ...). */
  public String namespace(String role) {
    String name = namespaces.get(role);
    if (name == null) {
      throw new IllegalArgumentException(
          "no namespace for role " + role + " in " + namespaces.keySet());
    }
    return name;
  }

  /** A command runner whose programs run inside {@code role}'s namespace. */
  public ProcessCommandRunner runner(String role) {
    return ProcessCommandRunner.inNamespace(namespace(role));
  }

  /** Runs {@code argv} inside {@code role}'s namespace and returns what it did (any exit code). */
  public CommandResult exec(String role, String... argv) {
    requireProgramsOf(List.of(argv));
    try {
      return runner(role).run(List.of(argv), "", COMMAND_LIMIT);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a shell command line inside {@code role}'s namespace; fails the test on non-zero exit. */
  public CommandResult sh(String role, String script) {
    KernelAccess.requireIn(script);
    String ns = namespaces.containsKey(role) ? namespace(role) : role;
    return run("ip", "netns", "exec", ns, "sh", "-c", script);
  }

  /**
   * Starts a long-running program inside {@code role}'s namespace; it is killed by {@link #close}.
   * Its output is discarded.
   */
  public Process spawn(String role, String... argv) {
    requireProgramsOf(List.of(argv));
    try {
      return throwaway.spawn(namespace(role), List.of(argv));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Skips the test (fails it in CI) when {@code argv}'s program, or one a {@code sh -c} script of
   * it runs, is not installed, naming its package: otherwise the test would fail on a missing
   * program with nothing saying which.
   */
  private static void requireProgramsOf(List<String> argv) {
    String program = argv.get(0);
    if ((program.equals("sh") || program.equals("bash")) && argv.contains("-c")) {
      KernelAccess.requireIn(argv.get(argv.size() - 1));
    } else {
      KernelAccess.requirePrograms(program);
    }
  }

  /** Waits until something listens on {@code port} in {@code role}'s namespace (TCP or UDP). */
  public void awaitListening(String role, String protocol, int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String flag = protocol.equals("udp") ? "-uln" : "-tln";
    while (System.nanoTime() < deadline) {
      CommandResult ss = exec(role, "ss", "-H", flag, "sport", "= :" + port);
      if (ss.succeeded() && !ss.stdout().isBlank()) {
        return;
      }
      sleep(Duration.ofMillis(50));
    }
    throw new AssertionError("nothing listens on " + protocol + " port " + port + " in " + role);
  }

  private static CommandResult run(String... argv) {
    try {
      CommandResult result = new ProcessCommandRunner().run(List.of(argv), "", COMMAND_LIMIT);
      if (!result.succeeded()) {
        throw new IllegalStateException(result.describeFailure() + "\n" + result.stderr());
      }
      return result;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Kills every process this topology started and deletes every namespace it created. */
  @Override
  public void close() {
    throwaway.close();
  }

  /** {@code nft list table inet portfwd} in {@code role}'s namespace, or "(no portfwd table)". */
  public String portfwdRules(String role) {
    CommandResult list = exec(role, "nft", "list", "table", "inet", "portfwd");
    return list.succeeded() ? list.stdout() : "(no portfwd table)";
  }
}
