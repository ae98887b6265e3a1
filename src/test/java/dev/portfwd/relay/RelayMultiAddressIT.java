package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.testing.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay on a gateway with several addresses in one subnet: a line without an address must
 * answer a UDP client from the address the client wrote to, or a client whose socket is connected
 * to that address drops the reply. The client here always uses a connected socket.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RelayMultiAddressIT {

  private static Topology topology;

  @TempDir Path dir;

  @BeforeAll
  static void topology() {
    topology = Topology.reference();
    topology.sh(
        topology.namespace("gateway"),
        "ip addr add 203.0.113.2/24 dev wan && ip addr add 2001:db8:1::2/64 dev wan nodad");
    RelayProcess.startEchoBackends(topology, "80", "82");
  }

  @AfterAll
  static void cleanUp() {
    if (topology != null) {
      topology.close();
    }
  }

  private Path table(String name, String text) throws Exception {
    Path table = dir.resolve(name);
    Files.writeString(table, text);
    return table;
  }

  @Test
  void answersUdpFromTheAddressTheClientWroteTo() throws Exception {
    Path table = table("wildcard.txt", "13500  192.0.2.2  80  tcp,udp\n");
    RelayProcess relay = RelayProcess.start(topology, table, "udp", 13500);
    for (String address : new String[] {"203.0.113.1", "203.0.113.2", "2001:db8:1::1"}) {
      assertThat(udpReply(address, 13500, 0, "to " + address))
          .as("a connected UDP client of %s gets its answer", address)
          .isEqualTo("to " + address + "\n");
    }
    assertThat(udpReply("2001:db8:1::2", 13500, 0, "to second v6"))
        .as("a connected UDP client of the second IPv6 address gets its answer")
        .isEqualTo("to second v6\n");
    assertThat(tcp("203.0.113.2", 13500, "tcp"))
        .as("TCP answers from the address it was reached at anyway")
        .isEqualTo("tcp\n");
    relay.signal("TERM");
    assertThat(relay.awaitExit(Duration.ofSeconds(15))).isZero();
  }

  @Test
  void followsAddressesThatComeAndGo() throws Exception {
    Path table = table("later.txt", "13501  192.0.2.2  80  udp\n");
    RelayProcess relay = RelayProcess.start(topology, table, "udp", 13501);
    String gateway = topology.namespace("gateway");
    topology.sh(gateway, "ip addr add 203.0.113.3/24 dev wan");
    try {
      String answer = "";
      for (int i = 0; i < 15 && answer.isEmpty(); i++) {
        answer = udpReply("203.0.113.3", 13501, 0, "new", 1);
      }
      assertThat(answer).as("an address added after the start is answered from").isEqualTo("new\n");
    } finally {
      topology.sh(gateway, "ip addr del 203.0.113.3/24 dev wan");
    }
    relay.awaitLog("stopped answering UDP from 203.0.113.3", Duration.ofSeconds(20));
    assertThat(udpReply("203.0.113.2", 13501, 0, "still")).isEqualTo("still\n");
    relay.signal("TERM");
    assertThat(relay.awaitExit(Duration.ofSeconds(15))).isZero();
  }

  @Test
  void namesTheAddressInTheProxyHeaderAndLeavesALineWithTheAddressItsSocket() throws Exception {
    Path table =
        table(
            "proxy.txt",
            """
        13502              192.0.2.2  82  udp  proxy-protocol=v2
        13503              192.0.2.2  80  udp
        203.0.113.2:13503  192.0.2.2  82  udp  proxy-protocol=v2
        """);
    RelayProcess relay = RelayProcess.start(topology, table, "udp", 13503);
    assertThat(udpReply("203.0.113.2", 13502, 40002, "dgram"))
        .as("the v2 header names the address the client wrote to")
        .isEqualTo("PROXY UDP4 203.0.113.10 40002 203.0.113.2 13502\ndgram\n");
    assertThat(udpReply("2001:db8:1::2", 13502, 40003, "six"))
        .isEqualTo("PROXY UDP6 2001:db8:1::10 40003 2001:db8:1::2 13502\nsix\n");
    for (int i = 0; i < 5; i++) {
      assertThat(udpReply("203.0.113.2", 13503, 40010 + i, "named"))
          .as("the line that names the address keeps every datagram to it")
          .isEqualTo("PROXY UDP4 203.0.113.10 " + (40010 + i) + " 203.0.113.2 13503\nnamed\n");
    }
    assertThat(udpReply("203.0.113.1", 13503, 0, "plain")).isEqualTo("plain\n");
    relay.signal("TERM");
    assertThat(relay.awaitExit(Duration.ofSeconds(15))).isZero();
  }

  @Test
  void givesTheAddressToALineThatNamesItOnReload() throws Exception {
    Path table = table("reload.txt", "13504  192.0.2.2  80  udp\n");
    RelayProcess relay = RelayProcess.start(topology, table, "udp", 13504);
    assertThat(udpReply("203.0.113.2", 13504, 0, "before")).isEqualTo("before\n");
    Path next = dir.resolve("reload.tmp");
    Files.writeString(
        next,
        """
        13504              192.0.2.2  80  udp
        203.0.113.2:13504  192.0.2.2  82  udp  proxy-protocol=v2
        """);
    Files.move(next, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    relay.awaitLog("on 2 sockets (1 opened, 0 closed)", Duration.ofSeconds(20));
    for (int i = 0; i < 5; i++) {
      assertThat(udpReply("203.0.113.2", 13504, 40020 + i, "named"))
          .as("the per-address socket of the line without an address made way")
          .isEqualTo("PROXY UDP4 203.0.113.10 " + (40020 + i) + " 203.0.113.2 13504\nnamed\n");
    }
    assertThat(udpReply("203.0.113.1", 13504, 0, "plain")).isEqualTo("plain\n");
    relay.signal("TERM");
    assertThat(relay.awaitExit(Duration.ofSeconds(15))).isZero();
  }

  private static String udpReply(String host, int port, int sourcePort, String text) {
    return udpReply(host, port, sourcePort, text, 10);
  }

  /** The answer a UDP socket connected to {@code host:port} receives; empty when none came. */
  private static String udpReply(String host, int port, int sourcePort, String text, int seconds) {
    return RelayProcess.udpReply(topology, "client", host, port, sourcePort, text, seconds);
  }

  private static String tcp(String host, int port, String text) {
    return topology
        .exec(
            "client",
            "sh",
            "-c",
            "echo " + text + " | timeout 60 socat -t30 - TCP:" + host + ":" + port)
        .stdout();
  }
}
