package dev.portfwd.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConntrackTest {

  static final String LISTING =
      """
      udp      17 28 src=203.0.113.10 dst=203.0.113.1 sport=40000 dport=13111 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=13111 dport=40000 mark=0 use=1
      udp      17 20 src=203.0.113.11 dst=203.0.113.1 sport=40001 dport=13111 [UNREPLIED] src=203.0.113.1 dst=203.0.113.11 sport=13111 dport=40001 mark=0 use=1
      tcp      6 431999 ESTABLISHED src=203.0.113.10 dst=203.0.113.1 sport=50000 dport=13102 src=192.0.2.2 dst=192.0.2.1 sport=80 dport=50000 [ASSURED] mark=0 use=1
      icmp     1 29 src=203.0.113.10 dst=203.0.113.1 type=8 code=0 id=7 src=203.0.113.1 dst=203.0.113.10 type=0 code=0 id=7 mark=0 use=1
      """;

  static CompiledForward forward(Protocol protocol, int port, String backend, int backendPort) {
    return new CompiledForward(
        IpFamily.IPV4,
        Optional.empty(),
        protocol,
        PortRange.of(port),
        Addresses.parse(backend).orElseThrow(),
        PortRange.of(backendPort),
        List.of(),
        true,
        "");
  }

  @Test
  void parsesOriginalAndReplyTuplesAndSkipsOtherProtocols() {
    assertThat(Conntrack.parse(IpFamily.IPV4, LISTING)).hasSize(3);
  }

  @Test
  void countsOnlyConnectionsTranslatedByTheForward() {
    List<Conntrack.Entry> entries = Conntrack.parse(IpFamily.IPV4, LISTING);
    assertThat(
            entries.stream()
                .filter(e -> e.carriedBy(forward(Protocol.TCP, 13102, "192.0.2.2", 80))))
        .hasSize(1);
    assertThat(
            entries.stream()
                .filter(e -> e.carriedBy(forward(Protocol.TCP, 13102, "192.0.2.3", 80))))
        .isEmpty();
    assertThat(
            entries.stream()
                .filter(e -> e.carriedBy(forward(Protocol.UDP, 13111, "192.0.2.2", 13111))))
        .hasSize(1);
  }

  @Test
  void findsUntranslatedEntriesThatWouldShadowANewUdpForward() {
    List<Conntrack.Entry> entries = Conntrack.parse(IpFamily.IPV4, LISTING);
    assertThat(
            entries.stream()
                .filter(e -> e.untranslatedOn(forward(Protocol.UDP, 13111, "192.0.2.2", 13111))))
        .singleElement()
        .satisfies(e -> assertThat(Addresses.format(e.source())).isEqualTo("203.0.113.11"));
  }
}
