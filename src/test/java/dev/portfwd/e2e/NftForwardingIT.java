package dev.portfwd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.Conditions;
import dev.portfwd.testing.KernelBackend;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kernel backends against the real kernel, through the built jar, in the reference topology:
 * client 203.0.113.10 — gateway — backend 192.0.2.2, whose default route is a dead end. Each
 * forwarding test runs once per backend ({@link KernelBackend}: nftables, iptables-nft,
 * iptables-legacy) with the same body.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NftForwardingIT {

  static final String SEED =
      """
      # The seed table on documentation addresses.
      13102        192.0.2.2    80        # Netbook Apache
      13103        192.0.2.3    80        # D800 Apache
      13110        192.0.2.2    13110     # Sauerbraten
      13111        192.0.2.2    13111     # Sauerbraten Ping
      """;

  @TempDir Path dir;

  Path table(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  static CommandResult portfwd(Topology topology, String... args) {
    return PortfwdJar.runIn(topology, "gateway", args);
  }

  /** portfwd in the gateway with {@code --backend} of {@code backend} after the subcommand. */
  static CommandResult portfwd(Topology topology, KernelBackend backend, String... args) {
    return PortfwdJar.runIn(topology, "gateway", backend.withBackend(args));
  }

  static CommandResult ok(CommandResult result) {
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    return result;
  }

  /**
   * nftables counts the packets clients send, not the backend's replies: a reply that comes back to
   * the gateway on a port that is itself forwarded (a game's voice port, here 40000) must not show
   * up as traffic of that forward.
   */
  @Test
  void repliesAreNotCountedAsClientTrafficOfAnotherForward() throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.udpServer(topology, "backend", 13110, "game");
      Path table =
          table(
              "game.txt",
              """
          13110  192.0.2.2  13110  udp  # Game
          40000  192.0.2.2  40000  udp  # Voice
          """);
      ok(portfwd(topology, "apply", table.toString()));

      // From source port 40000: masquerade keeps it, so the answer reaches the gateway on 40000.
      assertThat(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13110, 40000))
          .isEqualTo("game 192.0.2.1");

      JsonNode forwards =
          new ObjectMapper()
              .readTree(ok(portfwd(topology, "status", "--json")).stdout())
              .path("forwards");
      assertThat(counted(forwards, "Game")).as("the client's one datagram").isEqualTo(1);
      assertThat(counted(forwards, "Voice"))
          .as("the backend's answer is no client packet of Voice")
          .isZero();
    }
  }

  /** A table with every kind of line, for the scripts the real tools must accept. */
  private static final String EVERY_KIND =
      """
      13102 192.0.2.2 80 # both protocols
      8000-8009 192.0.2.2 9000-9009 tcp
      27015:27020 192.0.2.4 RANGE udp
      203.0.113.1:443 192.0.2.5 443 tcp from=203.0.113.0/24,198.51.100.0/25 masquerade=no
      [2001:db8:1::1]:8443 2001:db8:2::5 443 tcp
      8081 2001:db8:2::2 80 tcp # "quoted" description
      """;

  @Test
  void planScriptIsWhatNftAccepts() throws Exception {
    try (Topology topology = Topology.reference()) {
      for (String text : List.of(EVERY_KIND, EVERY_KIND.replace("192.0.2.4", "192.0.2.6"))) {
        Path table = table("every.txt", text);
        String script = ok(portfwd(topology, "plan", "--script", table.toString())).stdout();
        assertThat(script).contains("add element inet portfwd");
        CommandResult check =
            topology.runner("gateway").run(List.of("nft", "-c", "-f", "-"), script);
        assertThat(check.exitCode()).as(check.stderr() + "\n" + script).isZero();
        ok(portfwd(topology, "apply", table.toString()));
      }
    }
  }

  /**
   * The script {@code plan --script} prints for iptables is one restore input per family, each
   * under a {@code # PROGRAM --noflush} line naming the program that reads it: each is fed to that
   * program with {@code --test}, for the first apply and for a change to what is installed.
   */
  @ParameterizedTest
  @EnumSource(
      value = KernelBackend.class,
      names = {"IPTABLES_NFT", "IPTABLES_LEGACY"})
  void planScriptIsWhatIptablesRestoreAccepts(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      for (String text : List.of(EVERY_KIND, EVERY_KIND.replace("192.0.2.4", "192.0.2.6"))) {
        Path table = table("every.txt", text);
        String script =
            ok(portfwd(topology, backend, "plan", "--script", table.toString())).stdout();
        Map<String, String> inputs = new LinkedHashMap<>();
        String program = null;
        for (String line : script.split("\n")) {
          if (line.startsWith("# ") && line.endsWith(" --noflush")) {
            program = line.substring(2, line.length() - " --noflush".length());
            inputs.put(program, "");
          } else {
            assertThat(program).as("a line before the first program's: " + line).isNotNull();
            inputs.merge(program, line + "\n", String::concat);
          }
        }
        // The first apply installs both families; the change is to an IPv4 forward only.
        assertThat(inputs.keySet())
            .containsExactlyElementsOf(
                Stream.of("iptables", "ip6tables")
                    .limit(text.equals(EVERY_KIND) ? 2 : 1)
                    .map(p -> p + backend.iptablesSuffix() + "-restore")
                    .toList());
        for (Map.Entry<String, String> input : inputs.entrySet()) {
          assertThat(input.getValue()).contains("COMMIT");
          CommandResult check =
              topology
                  .runner("gateway")
                  .run(List.of(input.getKey(), "--noflush", "--test"), input.getValue());
          assertThat(check.exitCode())
              .as(input.getKey() + ": " + check.stderr() + "\n" + input.getValue())
              .isZero();
        }
        ok(portfwd(topology, backend, "apply", table.toString()));
      }
    }
  }

  @Test
  void statusCountsTheConnectionsOpenThroughEachForward() throws Exception {
    try (Topology topology = Topology.reference()) {
      // A backend that keeps each connection open for a while, and two clients that stay.
      topology.spawn("backend", "socat", "TCP4-LISTEN:80,fork,reuseaddr", "SYSTEM:sleep 60");
      topology.awaitListening("backend", "tcp", 80, Duration.ofSeconds(5));
      ok(
          portfwd(
              topology,
              "apply",
              table(
                      "t.txt",
                      """
          13102 192.0.2.2 80 tcp  # Held
          13103 192.0.2.2 80 tcp  # Idle
          """)
                  .toString()));
      for (int i = 0; i < 2; i++) {
        topology.spawn(
            "client", "timeout", "60", "socat", "-u", "TCP4:203.0.113.1:13102", "/dev/null");
      }
      ObjectMapper json = new ObjectMapper();
      Conditions.await(
          "status --json counts both connections",
          Duration.ofSeconds(30),
          () ->
              forward(
                          readTree(json, ok(portfwd(topology, "status", "--json")).stdout())
                              .path("forwards"),
                          13102,
                          "tcp")
                      .path("connections")
                      .asLong()
                  == 2);
      JsonNode forwards =
          json.readTree(ok(portfwd(topology, "status", "--json")).stdout()).path("forwards");
      assertThat(forward(forwards, 13103, "tcp").path("connections").asLong()).isZero();
      String text = ok(portfwd(topology, "status")).stdout();
      assertThat(text).contains("CONNS");
      assertThat(text.lines().filter(l -> l.contains("Held")))
          .singleElement()
          .asString()
          .matches("\\s*13102/tcp\\s+192\\.0\\.2\\.2:80\\s+\\d+\\s+\\d+\\s+2\\s.*");
    }
  }

  private static JsonNode readTree(ObjectMapper json, String text) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Applying {@code name} again changes nothing: the live rules read back as what was applied. */
  private void assertAgainNoChanges(Topology topology, KernelBackend backend, String name) {
    assertThat(ok(portfwd(topology, backend, "apply", dir.resolve(name).toString())).stdout())
        .as("apply of " + name + " again")
        .contains("no changes");
  }

  /** The forward of {@code status --json} on {@code port}/{@code protocol}, in any order. */
  private static JsonNode forward(JsonNode forwards, int port, String protocol) {
    for (JsonNode forward : forwards) {
      if (forward.path("externalPorts").path("first").asInt() == port
          && forward.path("protocol").asText().equals(protocol)) {
        return forward;
      }
    }
    throw new AssertionError("no forward " + port + "/" + protocol + " in " + forwards);
  }

  private static long counted(JsonNode forwards, String description) {
    for (JsonNode forward : forwards) {
      if (forward.path("description").asText().equals(description)) {
        return forward.path("packets").asLong();
      }
    }
    throw new AssertionError("no forward " + description + " in " + forwards);
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void seedTableForwardsTcpAndUdpAndASecondApplyChangesNothing(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      Traffic.udpServer(topology, "backend", 13111, "ping");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102)).isEmpty();
      Path seed = table("seed.txt", SEED);

      CommandResult apply = ok(portfwd(topology, backend, "apply", seed.toString()));
      assertThat(apply.stdout())
          .contains("+ 13102/tcp → 192.0.2.2:80  Netbook Apache")
          .contains(backend.label() + ": 8 to add, 0 to change, 0 to remove")
          .contains("switched on net.ipv4.ip_forward");

      // Masqueraded: the backend sees the gateway, so replies come back through it.
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102))
          .isEqualTo("web 192.0.2.1");
      assertThat(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13111, 0))
          .isEqualTo("ping 192.0.2.1");
      // The gateway's own connections to its public address take the forward too (output hook).
      assertThat(Traffic.tcp(topology, "gateway", Topology.GATEWAY_WAN, 13102)).startsWith("web ");

      assertThat(ok(portfwd(topology, backend, "plan", seed.toString())).stdout())
          .contains("no changes");
      assertThat(ok(portfwd(topology, backend, "apply", seed.toString())).stdout())
          .contains("no changes")
          .doesNotContain("switched on");

      Files.delete(seed); // status reads the kernel, not the file
      JsonNode status =
          new ObjectMapper().readTree(ok(portfwd(topology, backend, "status", "--json")).stdout());
      assertThat(status.path("forwards")).hasSize(8);
      JsonNode web = forward(status.path("forwards"), 13102, "tcp");
      // nftables counts every packet clients sent; iptables' nat rules see each connection's first
      // packet only (two connections went through 13102/tcp: the client's and the gateway's own).
      boolean perPacket = backend == KernelBackend.NFTABLES;
      assertThat(web.path("packets").asLong())
          .as("client packets through 13102/tcp")
          .isGreaterThanOrEqualTo(perPacket ? 4 : 2);
      assertThat(web.path("bytes").asLong()).isGreaterThan(perPacket ? 100 : 80);
      assertThat(ok(portfwd(topology, backend, "status")).stdout())
          .contains("13111/udp")
          .contains("Sauerbraten Ping");

      assertThat(ok(portfwd(topology, backend, "remove")).stdout()).contains("removed 8 forwards");
      assertThat(backend.installed(topology)).isEmpty();
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void sameAndShiftedPortRangesReachTheRightBackendPorts(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 7779, "same", false);
      Traffic.tcpServer(topology, "backend", 9002, "shifted", false);
      ok(
          portfwd(
              topology,
              backend,
              "apply",
              table(
                      "ranges.txt",
                      """
          7777-7779 192.0.2.2 RANGE tcp
          8000-8002 192.0.2.2 9000-9002 tcp
          """)
                  .toString()));
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 7779)).startsWith("same ");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 8002))
          .startsWith("shifted ");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 8003)).isEmpty();
      assertAgainNoChanges(topology, backend, "ranges.txt");
    }
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void masqueradeNoFailsOnTheAsymmetricRouteAndWorksWhenTheBackendRoutesBack(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      ok(
          portfwd(
              topology,
              backend,
              "apply",
              table("t.txt", "13102 192.0.2.2 80 tcp masquerade=no\n").toString()));
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102))
          .as("replies leave by the backend's dead-end default route")
          .isEmpty();
      topology.sh("backend", "ip route replace default via " + Topology.GATEWAY_VPN);
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102))
          .as("the backend sees the client's own address")
          .isEqualTo("web 203.0.113.10");
      assertAgainNoChanges(topology, backend, "t.txt");
    }
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void hairpinFromASecondVpnHostReachesTheBackend(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("vpn2", "192.0.2.3", null);
      topology.sh("vpn2", "ip route add default via " + Topology.GATEWAY_VPN);
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      ok(
          portfwd(
              topology, backend, "apply", table("t.txt", "13102 192.0.2.2 80 tcp\n").toString()));
      assertThat(Traffic.tcp(topology, "vpn2", Topology.GATEWAY_WAN, 13102))
          .isEqualTo("web 192.0.2.1");
    }
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void fromAdmitsOneClientAndRefusesAnother(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addClient("client2", "203.0.113.11", null);
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      ok(
          portfwd(
              topology,
              backend,
              "apply",
              table(
                      "t.txt",
                      """
          13102 192.0.2.2 80 tcp from=203.0.113.10
          13104 192.0.2.2 80 tcp
          """)
                  .toString()));
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102)).startsWith("web ");
      assertThat(Traffic.tcp(topology, "client2", Topology.GATEWAY_WAN, 13102)).isEmpty();
      assertThat(Traffic.tcp(topology, "client2", Topology.GATEWAY_WAN, 13104))
          .as("the refused client reaches the same backend through a forward without from=")
          .isEqualTo("web 192.0.2.1");
      assertAgainNoChanges(topology, backend, "t.txt");
    }
  }

  /**
   * nftables leaves out the lookup rules of maps without elements: a from= forward added to a
   * running table brings its rules (and its refusal) in the same transaction, and takes them away
   * again when it goes; the other forward keeps working and counting throughout.
   */
  @Test
  void lookupRulesComeAndGoWithTheFirstAndLastForwardOfTheirShape() throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addClient("client2", "203.0.113.11", null);
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      String open = "13104 192.0.2.2 80 tcp # open\n";
      String restricted = open + "13102 192.0.2.2 80 tcp from=203.0.113.10\n";
      ok(portfwd(topology, "apply", table("t.txt", open).toString()));
      assertThat(Traffic.tcp(topology, "client2", Topology.GATEWAY_WAN, 13104)).startsWith("web ");
      assertThat(lookupRules(topology)).hasSize(2);

      ok(portfwd(topology, "apply", table("t.txt", restricted).toString()));
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102)).startsWith("web ");
      assertThat(Traffic.tcp(topology, "client2", Topology.GATEWAY_WAN, 13102)).isEmpty();
      assertThat(Traffic.tcp(topology, "client2", Topology.GATEWAY_WAN, 13104)).startsWith("web ");
      assertThat(lookupRules(topology)).hasSize(6);
      assertAgainNoChanges(topology, KernelBackend.NFTABLES, "t.txt");

      ok(portfwd(topology, "apply", table("t.txt", open).toString()));
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102)).isEmpty();
      assertThat(Traffic.tcp(topology, "client2", Topology.GATEWAY_WAN, 13104)).startsWith("web ");
      assertThat(lookupRules(topology)).hasSize(2);
      JsonNode status =
          new ObjectMapper().readTree(ok(portfwd(topology, "status", "--json")).stdout());
      assertThat(counted(status.path("forwards"), "open"))
          .as("the open forward counted its clients' packets across both changes")
          .isGreaterThan(6);
    }
  }

  /** The rules of portfwd's IPv4 lookup chains for address-less forwards, as nft lists them. */
  private static List<String> lookupRules(Topology topology) {
    List<String> rules = new ArrayList<>();
    for (String chain : List.of("translate4_local", "count4")) {
      topology
          .sh("gateway", "nft list chain inet portfwd " + chain)
          .stdout()
          .lines()
          .map(String::strip)
          .filter(l -> l.contains("@"))
          .forEach(rules::add);
    }
    return rules;
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void namedAddressWinsOverAnAddresslessForwardOnTheSamePort(KernelBackend backend)
      throws Exception {
    try (Topology topology = Topology.reference()) {
      topology.addVpnHost("backend2", "192.0.2.3", null);
      topology.sh("backend2", "ip route add default via " + Topology.GATEWAY_VPN);
      Traffic.tcpServer(topology, "backend", 80, "any-address", false);
      Traffic.tcpServer(topology, "backend2", 80, "named", false);
      topology.sh("gateway", "ip addr add 203.0.113.2/24 dev wan");
      ok(
          portfwd(
              topology,
              backend,
              "apply",
              table(
                      "t.txt",
                      """
          443 192.0.2.2 80 tcp
          203.0.113.2:443 192.0.2.3 80 tcp
          """)
                  .toString()));
      assertThat(Traffic.tcp(topology, "client", "203.0.113.2", 443)).startsWith("named ");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 443))
          .startsWith("any-address ");
    }
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void ipv6ForwardsReachAnIpv6Backend(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web6", true);
      ok(
          portfwd(
              topology,
              backend,
              "apply",
              table(
                      "t.txt",
                      """
          [2001:db8:1::1]:8080 2001:db8:2::2 80 tcp
          8081 2001:db8:2::2 80 tcp
          """)
                  .toString()));
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN6, 8080))
          .isEqualTo("web6 [2001:0db8:0002:0000:0000:0000:0000:0001]");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN6, 8081)).startsWith("web6 ");
      assertThat(
              topology
                  .exec("gateway", "sysctl", "-n", "net.ipv6.conf.all.forwarding")
                  .stdout()
                  .strip())
          .isEqualTo("1");
      assertAgainNoChanges(topology, backend, "t.txt");
    }
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void invalidTableChangesNothingAndExitsTwo(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      CommandResult result =
          portfwd(
              topology,
              backend,
              "apply",
              table("bad.txt", "13102 192.0.2.2 80\nnot-a-port 192.0.2.2\n").toString());
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.stderr()).contains("bad.txt:2:").contains("nothing was changed");
      assertThat(topology.exec("gateway", "nft", "list", "ruleset").stdout()).isBlank();
      assertThat(backend.installed(topology)).isEmpty();
      assertThat(topology.exec("gateway", "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip())
          .isEqualTo("0");
    }
  }

  @ParameterizedTest
  @EnumSource(KernelBackend.class)
  void noSysctlLeavesForwardingOff(KernelBackend backend) throws Exception {
    try (Topology topology = Topology.reference()) {
      CommandResult result =
          ok(
              portfwd(
                  topology,
                  backend,
                  "apply",
                  "--no-sysctl",
                  table("t.txt", "13102 192.0.2.2 80\n").toString()));
      assertThat(result.stdout()).doesNotContain("switched on");
      assertThat(topology.exec("gateway", "sysctl", "-n", "net.ipv4.ip_forward").stdout().strip())
          .isEqualTo("0");
    }
  }
}
