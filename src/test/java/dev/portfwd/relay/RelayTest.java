package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.table.TableParser;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-address UDP sockets of lines without an address, on loopback. */
class RelayTest {

  private static ForwardTable table(String text) {
    var result = TableParser.parse("t", text);
    assertThat(result.errors()).isEmpty();
    return result.table();
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void followsTheHostsAddressesAndLeavesANamedAddressToItsLine() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    Set<InetAddress> local = new LinkedHashSet<>(Set.of(loopback));
    int port = freeUdpPort();
    try (Relay relay =
        new Relay(
            Transport.nio(),
            RelayOptions.defaults(),
            new RelayCounters(),
            () -> Set.copyOf(local))) {
      String line = port + " 192.0.2.2 53 udp\n";
      assertThat(relay.apply(table(line))).isEmpty();
      assertThat(relay.answeringFrom(port)).containsExactly(loopback);
      local.clear();
      assertThat(relay.apply(table(line))).isEmpty();
      assertThat(relay.answeringFrom(port)).as("the address left the host").isEmpty();
      local.add(loopback);
      assertThat(relay.apply(table(line + "127.0.0.1:" + port + " 192.0.2.2 54 udp\n"))).isEmpty();
      assertThat(relay.answeringFrom(port))
          .as("127.0.0.1 belongs to the line that names it")
          .isEmpty();
    }
  }
}
