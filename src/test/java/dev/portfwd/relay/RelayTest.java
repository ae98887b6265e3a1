package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.table.TableParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.logging.Logger;
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
    Logger relayLogger = Logger.getLogger(Relay.class.getPackageName());
    LogCapture capture = new LogCapture();
    relayLogger.addHandler(capture);
    try (Relay relay =
        new Relay(
            Transport.nio(),
            RelayOptions.defaults(),
            new RelayCounters(),
            () -> Set.copyOf(local))) {
      String line = port + " 192.0.2.2 53 udp\n";
      assertThat(relay.apply(table(line))).isEmpty();
      assertThat(relay.answeringFrom(port)).containsExactly(loopback);
      assertThat(capture.messages())
          .contains("answering UDP from 127.0.0.1 (1 port) too (lines without an address)");
      local.clear();
      assertThat(relay.apply(table(line))).isEmpty();
      assertThat(relay.answeringFrom(port)).as("the address left the host").isEmpty();
      local.add(loopback);
      assertThat(relay.apply(table(line + "127.0.0.1:" + port + " 192.0.2.2 54 udp\n"))).isEmpty();
      assertThat(relay.answeringFrom(port))
          .as("127.0.0.1 belongs to the line that names it")
          .isEmpty();
    } finally {
      relayLogger.removeHandler(capture);
    }
  }

  @Test
  void givesAClientThatWritesWhileTheLineOpensOneSession() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int port = freeUdpPort();
    try (DatagramSocket backend = new DatagramSocket(0, loopback);
        DatagramSocket client = new DatagramSocket(0, loopback)) {
      InetSocketAddress relayed = new InetSocketAddress(loopback, port);
      // The client writes at every look at the host's addresses, also while the line's sockets
      // open; what arrives before any of them listens is refused, as by any server not started.
      Supplier<Set<InetAddress>> writingClient =
          () -> {
            send(client, "early", relayed);
            return Set.of(loopback);
          };
      try (Relay relay =
          new Relay(Transport.nio(), RelayOptions.defaults(), new RelayCounters(), writingClient)) {
        assertThat(relay.apply(table(port + " 127.0.0.1 " + backend.getLocalPort() + " udp\n")))
            .isEmpty();
        send(client, "late", relayed);
        Set<Integer> sourcePorts = new TreeSet<>();
        backend.setSoTimeout(2000);
        byte[] buffer = new byte[64];
        boolean late = false;
        while (!late) {
          DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
          try {
            backend.receive(packet);
          } catch (SocketTimeoutException e) {
            throw new AssertionError("the backend got no \"late\" datagram", e);
          }
          sourcePorts.add(packet.getPort());
          late =
              new String(buffer, 0, packet.getLength(), StandardCharsets.US_ASCII).equals("late");
        }
        assertThat(sourcePorts).as("the relay's source ports towards the backend").hasSize(1);
      }
    }
  }

  @Test
  void saysOnlyThatALineCannotListenWhenAnotherProgramHoldsItsPort() throws Exception {
    Logger relayLogger = Logger.getLogger(Relay.class.getPackageName());
    LogCapture capture = new LogCapture();
    relayLogger.addHandler(capture);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (DatagramSocket other = new DatagramSocket(0);
        Relay relay =
            new Relay(
                Transport.nio(),
                RelayOptions.defaults(),
                new RelayCounters(),
                () -> Set.of(loopback))) {
      int port = other.getLocalPort();
      assertThat(relay.apply(table(port + " 192.0.2.2 53 udp\n"))).hasSize(1);
      assertThat(relay.answeringFrom(port)).isEmpty();
      assertThat(capture.messages())
          .as("nothing about the line's sockets on the host's addresses")
          .noneMatch(message -> message.contains("cannot listen on"))
          .noneMatch(message -> message.contains("answering UDP from"));
    } finally {
      relayLogger.removeHandler(capture);
    }
  }

  private static void send(DatagramSocket socket, String text, InetSocketAddress to) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
