package dev.portfwd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portfwd doctor} against the real kernel, one namespace topology per case: start from a
 * healthy gateway (the table applied, backend services up: doctor finds no problem and exits 0),
 * break exactly one thing, check that doctor names the forward and the cause, run the fix doctor
 * suggests inside the gateway, and check that doctor is clean again.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DoctorIT {

  static final String TABLE =
      """
      13102  192.0.2.2  80     tcp  # Web
      13110  192.0.2.2  13110  udp  # Game
      """;

  @TempDir Path dir;

  private Path table;

  /** A topology whose gateway serves {@link #TABLE} and whose backend answers on both ports. */
  private Topology healthy() throws IOException {
    return healthy(
        TABLE,
        topology -> {
          Traffic.tcpServer(topology, "backend", 80, "web", false);
          Traffic.udpServer(topology, "backend", 13110, "game");
        },
        "web 192.0.2.1");
  }

  /**
   * A topology whose gateway serves {@code text}, after {@code services} started the backend's
   * services; a client's connection to port 13102 reads {@code web} (when not null).
   */
  private Topology healthy(String text, Consumer<Topology> services, String web)
      throws IOException {
    table = dir.resolve("ports.txt");
    Files.writeString(table, text);
    Topology topology = Topology.reference();
    try {
      services.accept(topology);
      CommandResult apply = PortfwdJar.runIn(topology, "gateway", "apply", table.toString());
      assertThat(apply.exitCode()).as(apply.stdout() + apply.stderr()).isZero();
      if (web != null) {
        String host = web.contains(":") ? Topology.GATEWAY_WAN6 : Topology.GATEWAY_WAN;
        assertThat(Traffic.tcp(topology, "client", host, 13102)).isEqualTo(web);
      }
      Doctor clean = doctor(topology);
      assertThat(clean.problems()).as(clean.text()).isEmpty();
      assertThat(clean.exitCode()).isZero();
      return topology;
    } catch (RuntimeException | Error e) {
      topology.close();
      throw e;
    }
  }

  /** One doctor run: its exit code and JSON findings. */
  record Doctor(int exitCode, JsonNode json, String text) {
    List<JsonNode> problems() {
      List<JsonNode> problems = new ArrayList<>();
      json.path("findings")
          .forEach(
              f -> {
                if (!f.path("severity").asText().equals("info")) {
                  problems.add(f);
                }
              });
      return problems;
    }

    /** The one problem of {@code check}; fails when there is none or several. */
    JsonNode problem(String check) {
      List<JsonNode> matching =
          problems().stream().filter(f -> f.path("check").asText().equals(check)).toList();
      assertThat(matching).as(text).hasSize(1);
      return matching.get(0);
    }

    /** Fails when a problem comes from a check outside {@code checks}: only one thing broke. */
    void onlyFrom(String... checks) {
      assertThat(problems())
          .as(text)
          .allSatisfy(f -> assertThat(Set.of(checks)).contains(f.path("check").asText()));
    }
  }

  private Doctor doctor(Topology topology, String... extra) {
    List<String> args = new ArrayList<>(List.of("doctor", "--json"));
    args.addAll(List.of(extra));
    args.add(table.toString());
    CommandResult result = PortfwdJar.runIn(topology, "gateway", args.toArray(String[]::new));
    try {
      return new Doctor(
          result.exitCode(),
          new ObjectMapper().readTree(result.stdout()),
          result.stdout() + result.stderr());
    } catch (IOException e) {
      throw new UncheckedIOException(result.stdout() + result.stderr(), e);
    }
  }

  /** Runs the fix doctor suggested, in the gateway, and expects doctor to be clean afterwards. */
  private void applyFixAndExpectClean(Topology topology, JsonNode finding) {
    String fix = finding.path("fix").asText();
    assertThat(fix).as("a fix command").isNotBlank();
    topology.sh("gateway", fix);
    Doctor after = doctor(topology);
    assertThat(after.problems()).as(after.text()).isEmpty();
    assertThat(after.exitCode()).isZero();
  }

  /**
   * Runs doctor and returns its one problem, from {@code check}: doctor exits 1 and no other check
   * complains, since each case breaks exactly one thing.
   */
  private JsonNode onlyProblem(Topology topology, String check) {
    return problemsFrom(topology, check).problem(check);
  }

  /** Runs doctor, which must exit 1 with problems from {@code checks} only. */
  private Doctor problemsFrom(Topology topology, String... checks) {
    Doctor doctor = doctor(topology);
    assertThat(doctor.exitCode()).as(doctor.text()).isEqualTo(1);
    doctor.onlyFrom(checks);
    return doctor;
  }

  /** The web forward of {@link #TABLE} carries a client's connection to the backend. */
  private static void assertWebWorks(Topology topology) {
    assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102))
        .isEqualTo("web 192.0.2.1");
  }

  /** The client's connection to the web forward gets no answer. */
  private static void assertWebBroken(Topology topology) {
    assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102)).isEmpty();
  }

  private static void namesForward(JsonNode finding, int line) {
    assertThat(finding.path("forward").path("line").asInt()).as(finding.toString()).isEqualTo(line);
  }

  @Test
  void ipForwardingOff() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh("gateway", "sysctl -qw net.ipv4.ip_forward=0");
      assertWebBroken(topology);

      JsonNode finding = onlyProblem(topology, "ip-forwarding");
      assertThat(finding.path("severity").asText()).isEqualTo("error");
      assertThat(finding.path("what").asText())
          .contains("net.ipv4.ip_forward = 0")
          .contains("lines 1, 2");
      assertThat(finding.path("fix").asText()).isEqualTo("sysctl -w net.ipv4.ip_forward=1");

      applyFixAndExpectClean(topology, finding);
      assertWebWorks(topology);
    }
  }

  @Test
  void backendRouteRemoved() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh("gateway", "ip route del 192.0.2.0/24 dev vpn");

      Doctor doctor = problemsFrom(topology, "backend-route", "backend-probe");
      List<JsonNode> routes =
          doctor.problems().stream()
              .filter(f -> f.path("check").asText().equals("backend-route"))
              .toList();
      assertThat(routes).hasSize(2); // both forwards go to 192.0.2.2
      JsonNode web =
          routes.stream()
              .filter(f -> f.path("forward").path("line").asInt() == 1)
              .findFirst()
              .orElseThrow();
      assertThat(web.path("what").asText()).contains("no route to backend 192.0.2.2");
      assertThat(web.path("fix").asText())
          .isEqualTo("ip route add 192.0.2.0/24 src 192.0.2.1 dev vpn");

      applyFixAndExpectClean(topology, web);
      assertWebWorks(topology);
    }
  }

  @Test
  void backendRoutedOutOfTheWrongInterface() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh("gateway", "ip route add 192.0.2.2/32 via 203.0.113.254 dev wan");
      assertWebBroken(topology);

      Doctor doctor = problemsFrom(topology, "backend-route", "backend-probe");
      JsonNode web =
          doctor.problems().stream()
              .filter(
                  f ->
                      f.path("check").asText().equals("backend-route")
                          && f.path("forward").path("line").asInt() == 1)
              .findFirst()
              .orElseThrow();
      assertThat(web.path("what").asText())
          .contains("subnet of interface vpn")
          .contains("out of wan via 203.0.113.254");
      assertThat(web.path("fix").asText())
          .isEqualTo("ip route del 192.0.2.2 via 203.0.113.254 dev wan");

      applyFixAndExpectClean(topology, web);
      assertWebWorks(topology);
    }
  }

  @Test
  void foreignNftTableWithForwardPolicyDrop() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh(
          "gateway",
          "nft add table inet foreign"
              + " && nft add chain inet foreign forward '{ type filter hook forward priority 0; policy drop; }'");
      assertWebBroken(topology);

      // The one chain drops both forwards: one finding for the host, naming the chain.
      JsonNode finding = onlyProblem(topology, "forward-drop");
      assertThat(finding.path("what").asText())
          .contains("chain forward of nft table inet foreign")
          .contains("policy drop")
          .contains("every forward");
      assertThat(finding.path("fix").asText())
          .isEqualTo("nft insert rule inet foreign forward ct status dnat accept");

      applyFixAndExpectClean(topology, finding);
      assertWebWorks(topology);
    }
  }

  @Test
  void foreignDropRuleForOneBackendPort() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh(
          "gateway",
          "nft add table inet foreign"
              + " && nft add chain inet foreign forward '{ type filter hook forward priority 10; }'"
              + " && nft add rule inet foreign forward ip daddr 192.0.2.2 tcp dport 80 drop");
      assertWebBroken(topology);

      JsonNode finding = onlyProblem(topology, "forward-drop");
      namesForward(finding, 1);
      assertThat(finding.path("what").asText())
          .contains("192.0.2.2:80/tcp")
          .contains("rule handle");

      applyFixAndExpectClean(topology, finding);
      assertWebWorks(topology);
    }
  }

  @Test
  void iptablesForwardPolicyDrop() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh("gateway", "iptables -P FORWARD DROP");
      assertWebBroken(topology);

      JsonNode finding = onlyProblem(topology, "forward-drop");
      assertThat(finding.path("what").asText())
          .contains("iptables chain FORWARD (table filter)")
          .contains("policy drop");
      assertThat(finding.path("fix").asText())
          .isEqualTo("iptables -I FORWARD -m conntrack --ctstate DNAT -j ACCEPT");

      applyFixAndExpectClean(topology, finding);
      assertWebWorks(topology);
    }
  }

  @Test
  void legacyIptablesForwardPolicyDrop() throws Exception {
    try (Topology topology = healthy()) {
      // Legacy tables are invisible to nft, yet their hooks drop packets all the same.
      topology.sh("gateway", "iptables-legacy -P FORWARD DROP");
      assertWebBroken(topology);

      JsonNode finding = onlyProblem(topology, "forward-drop");
      assertThat(finding.path("what").asText())
          .contains("iptables-legacy chain FORWARD (table filter)");
      assertThat(finding.path("fix").asText())
          .isEqualTo("iptables-legacy -I FORWARD -m conntrack --ctstate DNAT -j ACCEPT");

      applyFixAndExpectClean(topology, finding);
      assertWebWorks(topology);
    }
  }

  @Test
  void strictReversePathFilter() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh("gateway", "sysctl -qw net.ipv4.conf.all.rp_filter=1");

      Doctor doctor = doctor(topology);
      assertThat(doctor.exitCode()).as("a warning alone exits 0").isZero();
      doctor.onlyFrom("rp-filter");
      JsonNode finding = doctor.problem("rp-filter");
      assertThat(finding.path("severity").asText()).isEqualTo("warning");
      assertThat(finding.path("what").asText())
          .contains("rp_filter=1")
          .contains("wan")
          .contains("vpn")
          .contains("lines 1, 2");

      applyFixAndExpectClean(topology, finding);
      assertThat(
              topology
                  .exec("gateway", "sysctl", "-n", "net.ipv4.conf.all.rp_filter")
                  .stdout()
                  .strip())
          .isEqualTo("2");
    }
  }

  @Test
  void gatewayListensOnAForwardedPort() throws Exception {
    try (Topology topology = healthy()) {
      Process service =
          topology.spawn(
              "gateway", "socat", "TCP4-LISTEN:13102,fork,reuseaddr", "SYSTEM:echo gateway");
      topology.awaitListening("gateway", "tcp", 13102, Duration.ofSeconds(5));

      Doctor doctor = doctor(topology);
      doctor.onlyFrom("shadowed-service");
      JsonNode finding = doctor.problem("shadowed-service");
      namesForward(finding, 1);
      assertThat(finding.path("what").asText())
          .contains("13102/tcp")
          .contains("socat (pid " + service.pid() + ")");
      assertThat(finding.path("fix").asText()).isEqualTo("kill " + service.pid());

      applyFixAndExpectClean(topology, finding);
    }
  }

  @Test
  void foreignNftDnatCatchesTheSamePortFirst() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh(
          "gateway",
          "nft add table ip other"
              + " && nft add chain ip other pre '{ type nat hook prerouting priority -150; }'"
              + " && nft add rule ip other pre tcp dport 13102 dnat to 192.0.2.3:80");
      assertWebBroken(topology);

      JsonNode finding = onlyProblem(topology, "foreign-nat");
      namesForward(finding, 1);
      assertThat(finding.path("what").asText())
          .contains("catches 13102/tcp")
          .contains("192.0.2.3:80")
          .contains("runs before");
      assertThat(finding.path("fix").asText()).startsWith("nft delete rule ip other pre handle ");

      applyFixAndExpectClean(topology, finding);
      assertWebWorks(topology);
    }
  }

  @Test
  void dockerStyleIptablesDnatCatchesTheSamePort() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh(
          "gateway",
          "iptables -t nat -N DOCKER"
              + " && iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER"
              + " && iptables -t nat -A DOCKER ! -i docker0 -p udp -m udp --dport 13110 -j DNAT --to-destination 192.0.2.3:13110");

      JsonNode finding = onlyProblem(topology, "foreign-nat");
      namesForward(finding, 2);
      assertThat(finding.path("what").asText())
          .contains("catches 13110/udp")
          .contains("192.0.2.3:13110");
      assertThat(finding.path("fix").asText())
          .isEqualTo(
              "iptables -t nat -D DOCKER ! -i docker0 -p udp -m udp --dport 13110 -j DNAT --to-destination 192.0.2.3:13110");

      applyFixAndExpectClean(topology, finding);
      assertThat(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13110, 0))
          .isEqualTo("game 192.0.2.1");
    }
  }

  @Test
  void backendNotListening() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh(
          "backend", "kill $(ss -Htlnp 'sport = :80' | grep -o 'pid=[0-9]*' | cut -d= -f2)");

      JsonNode finding = onlyProblem(topology, "backend-probe");
      namesForward(finding, 1);
      assertThat(finding.path("what").asText()).contains("192.0.2.2:80/tcp refused");
      // The fix is on the backend: start the service again.
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      Doctor after = doctor(topology);
      assertThat(after.problems()).as(after.text()).isEmpty();
      assertThat(after.json().path("findings").toString())
          .contains("accepted a TCP connection from the gateway in");
      // Without probing the dead backend is not noticed: --no-probe really skips the connection.
      topology.sh(
          "backend", "kill $(ss -Htlnp 'sport = :80' | grep -o 'pid=[0-9]*' | cut -d= -f2)");
      assertThat(doctor(topology, "--no-probe").problems()).isEmpty();
    }
  }

  @Test
  void backendFirewallDropsTheConnection() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh(
          "backend",
          "nft add table inet guard"
              + " && nft add chain inet guard input '{ type filter hook input priority 0; }'"
              + " && nft add rule inet guard input tcp dport 80 drop");
      assertWebBroken(topology);

      JsonNode finding = onlyProblem(topology, "backend-probe");
      namesForward(finding, 1);
      assertThat(finding.path("what").asText()).contains("192.0.2.2:80/tcp did not answer within");
      assertThat(finding.path("why").asText()).contains("a firewall drops the connection");

      topology.sh("backend", "nft delete table inet guard"); // the fix is on the backend
      assertThat(doctor(topology).problems()).isEmpty();
    }
  }

  @Test
  void portfwdsRulesFlushedBySomethingElse() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh("gateway", "nft delete table inet portfwd");
      assertWebBroken(topology);

      JsonNode finding = onlyProblem(topology, "installed-rules");
      assertThat(finding.path("what").asText()).contains("portfwd's rules are not installed");
      assertThat(finding.path("fix").asText()).isEqualTo("portfwd apply " + table);

      // The fix is portfwd itself; here it is the jar.
      CommandResult apply = PortfwdJar.runIn(topology, "gateway", "apply", table.toString());
      assertThat(apply.exitCode()).as(apply.stderr()).isZero();
      assertThat(doctor(topology).problems()).isEmpty();
      assertWebWorks(topology);
    }
  }

  @Test
  void tableEditedButNotApplied() throws Exception {
    try (Topology topology = healthy()) {
      Files.writeString(table, TABLE.replace("13102  192.0.2.2  80", "13102  192.0.2.2  8080"));

      Doctor doctor = doctor(topology, "--no-probe");
      assertThat(doctor.exitCode()).isEqualTo(1);
      doctor.onlyFrom("installed-rules");
      JsonNode finding = doctor.problem("installed-rules");
      assertThat(finding.path("what").asText())
          .contains("1 change pending")
          .contains("192.0.2.2:8080");
      assertThat(finding.path("fix").asText()).isEqualTo("portfwd apply --reread " + table);

      CommandResult apply =
          PortfwdJar.runIn(topology, "gateway", "apply", "--reread", table.toString());
      assertThat(apply.exitCode()).as(apply.stderr()).isZero();
      assertThat(doctor(topology, "--no-probe").problems()).isEmpty();
    }
  }

  @Test
  void staleUdpConntrackEntry() throws Exception {
    try (Topology topology = healthy()) {
      // The entry a flow leaves behind when the forward pointed at an old backend (192.0.2.3).
      topology.sh(
          "gateway",
          "conntrack -I -p udp -s 203.0.113.10 -d 203.0.113.1 --sport 40000 --dport 13110"
              + " -r 192.0.2.3 -q 203.0.113.10 --reply-port-src 13110 --reply-port-dst 40000 -t 120");
      assertThat(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13110, 40000))
          .as("the flow follows the stale entry")
          .isEmpty();

      JsonNode finding = onlyProblem(topology, "stale-udp-conntrack");
      namesForward(finding, 2);
      assertThat(finding.path("what").asText())
          .contains("1 UDP conntrack entry")
          .contains("192.0.2.3:13110");
      assertThat(finding.path("fix").asText())
          .isEqualTo("conntrack -D -p udp --orig-port-dst 13110 --reply-src 192.0.2.3");

      applyFixAndExpectClean(topology, finding);
      assertThat(Traffic.udp(topology, "client", Topology.GATEWAY_WAN, 13110, 40000))
          .isEqualTo("game 192.0.2.1");
    }
  }

  @Test
  void ipv6ForwardingOff() throws Exception {
    String v6 = "13102  2001:db8:2::2  80  tcp  # Web over IPv6\n";
    try (Topology topology =
        healthy(
            v6,
            t -> Traffic.tcpServer(t, "backend", 80, "web6", true),
            "web6 [2001:0db8:0002:0000:0000:0000:0000:0001]")) {
      topology.sh("gateway", "sysctl -qw net.ipv6.conf.all.forwarding=0");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN6, 13102)).isEmpty();

      JsonNode finding = onlyProblem(topology, "ip-forwarding");
      assertThat(finding.path("what").asText())
          .contains("IPv6 forwarding is off")
          .contains("line 1");
      assertThat(finding.path("fix").asText())
          .isEqualTo("sysctl -w net.ipv6.conf.all.forwarding=1");

      applyFixAndExpectClean(topology, finding);
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN6, 13102))
          .isEqualTo("web6 [2001:0db8:0002:0000:0000:0000:0000:0001]");
    }
  }

  @Test
  void masqueradeOffWithoutAReturnRouteOnTheBackend() throws Exception {
    String noMasquerade =
        "13102  192.0.2.2  80  tcp  masquerade=no  # Web keeps client addresses\n";
    try (Topology topology =
        healthy(noMasquerade, t -> Traffic.tcpServer(t, "backend", 80, "web", false), null)) {
      // Before any client came, doctor can only say what must hold, and how.
      Doctor before = doctor(topology);
      JsonNode explanation =
          before.json().path("findings").findParents("check").stream()
              .filter(f -> f.path("check").asText().equals("masquerade-off"))
              .findFirst()
              .orElseThrow();
      assertThat(explanation.path("severity").asText()).isEqualTo("info");

      // The backend's default route is a dead end: the client's connection hangs.
      assertWebBroken(topology);
      JsonNode finding = onlyProblem(topology, "masquerade-off");
      namesForward(finding, 1);
      assertThat(finding.path("what").asText())
          .contains("from clients (e.g. 203.0.113.10)")
          .contains("none got an answer");
      String note = finding.path("note").asText();
      String onBackend = note.substring(note.indexOf("on the backend: ") + 16, note.indexOf(';'));
      assertThat(onBackend).isEqualTo("ip route replace default via 192.0.2.1");

      topology.sh("backend", onBackend);
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13102))
          .isEqualTo("web 203.0.113.10");
      Doctor after = doctor(topology);
      assertThat(after.problems()).as(after.text()).isEmpty();
    }
  }

  @Test
  void withoutATableDoctorExaminesTheInstalledForwards() throws Exception {
    try (Topology topology = healthy()) {
      // The gateway gets its own, empty /etc/portfwd, whatever this machine keeps there: 'ip netns
      // exec' bind-mounts each entry of /etc/netns/NAME over /etc in the command's mount namespace
      // (this machine's /etc/portfwd itself is neither read nor changed).
      Path netnsEtc = Path.of("/etc/netns", topology.namespace("gateway"));
      boolean madeNetnsDir = !Files.exists(netnsEtc.getParent());
      Files.createDirectories(netnsEtc.resolve("portfwd"));
      try {
        assertThat(topology.exec("gateway", "test", "-e", "/etc/portfwd/ports.txt").exitCode())
            .as("the gateway sees no default table")
            .isNotZero();
        topology.sh("gateway", "sysctl -qw net.ipv4.ip_forward=0");
        CommandResult text = PortfwdJar.runIn(topology, "gateway", "doctor");
        assertThat(text.exitCode()).isEqualTo(1);
        assertThat(text.stdout())
            .contains("(installed rules, 2 forwards)")
            .contains("IPv4 forwarding is off")
            .contains("installed forward 1: 13102/tcp → 192.0.2.2:80  Web")
            .doesNotContain("refused"); // no probes unless a table is named
      } finally {
        Files.deleteIfExists(netnsEtc.resolve("portfwd"));
        Files.deleteIfExists(netnsEtc);
        if (madeNetnsDir) {
          try {
            Files.deleteIfExists(netnsEtc.getParent());
          } catch (java.nio.file.DirectoryNotEmptyException e) {
            // Another test's namespace uses it now; that test deletes its own entry.
          }
        }
      }
    }
  }

  /** Doctor's text report as a terminal shows it ('script' gives it one), with {@code env}. */
  private String onATerminal(Topology topology, String... env) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("ip", "netns", "exec", topology.namespace("gateway")));
    List<String> command = new ArrayList<>(PortfwdJar.command("doctor", "--no-probe"));
    // PortfwdJar.command starts with /usr/bin/env: variables go right after it.
    command.addAll(1, List.of(env));
    argv.addAll(command);
    StringBuilder line = new StringBuilder();
    for (String arg : argv) {
      line.append(line.length() > 0 ? " " : "").append('\'').append(arg.replace("'", "'\\''"));
      line.append('\'');
    }
    Path output = dir.resolve("terminal.out");
    Process script =
        new ProcessBuilder("script", "-qfec", line.toString(), output.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(script.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return Files.readString(output);
  }

  @Test
  void colourOnlyOnATerminalAndNeverWithNoColor() throws Exception {
    try (Topology topology = healthy()) {
      topology.sh("gateway", "sysctl -qw net.ipv4.ip_forward=0"); // an error to colour
      assertThat(onATerminal(topology, "TERM=xterm"))
          .contains("IPv4 forwarding is off")
          .contains("\u001b[");
      assertThat(onATerminal(topology, "TERM=xterm", "NO_COLOR=1"))
          .contains("IPv4 forwarding is off")
          .doesNotContain("\u001b[");
      assertThat(PortfwdJar.runIn(topology, "gateway", "doctor", "--no-probe").stdout())
          .as("not a terminal")
          .contains("IPv4 forwarding is off")
          .doesNotContain("\u001b[");
    }
  }

  @Test
  void doctorChangesNothing() throws Exception {
    try (Topology topology = healthy()) {
      // Something to find, so every check has work to do.
      topology.sh(
          "gateway",
          "iptables -P FORWARD DROP && sysctl -qw net.ipv4.conf.all.rp_filter=1"
              + " && nft add table inet foreign && nft add chain inet foreign forward '{ type filter hook forward priority 0; policy drop; }'");
      String before = snapshot(topology);
      assertThat(doctor(topology).exitCode()).isEqualTo(1);
      assertThat(doctor(topology, "--no-probe").exitCode()).isEqualTo(1);
      CommandResult text = PortfwdJar.runIn(topology, "gateway", "doctor", table.toString());
      assertThat(text.exitCode()).isEqualTo(1);
      assertThat(text.stdout()).contains("error  ").doesNotContain("\u001b[");
      assertThat(snapshot(topology)).isEqualTo(before);
    }
  }

  /** The gateway's ruleset (nft and both iptables flavours), routes, addresses and IP sysctls. */
  private static String snapshot(Topology topology) {
    return topology
        .sh(
            "gateway",
            "nft list ruleset; iptables-save | grep -v '^#'; ip6tables-save | grep -v '^#';"
                + " iptables-legacy-save | grep -v '^#'; ip route show table all; ip -6 route show table all; ip addr;"
                + " sysctl -a --pattern '^net\\.(ipv4\\.(ip_forward|conf)|ipv6\\.conf)' 2>/dev/null")
        .stdout();
  }
}
