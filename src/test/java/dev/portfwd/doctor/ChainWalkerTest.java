package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChainWalkerTest {

  private static final Packet WEB =
      new Packet(
          IpFamily.IPV4,
          Protocol.TCP,
          Optional.of(Facts.ip("192.0.2.2")),
          80,
          /* dnat= */ true,
          Optional.of("vpn"));

  private static ChainWalker.Outcome walk(String save) {
    List<FirewallChain> chains = Facts.iptables(save);
    FirewallChain forward =
        chains.stream().filter(c -> c.name().equals("FORWARD")).findFirst().orElseThrow();
    return new ChainWalker(new Firewall(chains)).filter(forward, WEB);
  }

  @Test
  void aJumpLoopEndsAtTheDepthBoundAndFallsToThePolicy() {
    ChainWalker.Outcome outcome =
        walk(
            """
        *filter
        :FORWARD DROP [0:0]
        :A - [0:0]
        :B - [0:0]
        -A FORWARD -j A
        -A A -j B
        -A B -j A
        COMMIT
        """);
    assertThat(outcome.kind()).isEqualTo(ChainWalker.Outcome.Kind.DROPPED);
    assertThat(outcome.rule()).isEmpty();
  }

  @Test
  void aReturnGoesBackToTheCallerWhoseLaterAcceptCounts() {
    ChainWalker.Outcome outcome =
        walk(
            """
        *filter
        :FORWARD DROP [0:0]
        :CHECK - [0:0]
        -A FORWARD -j CHECK
        -A FORWARD -o vpn -j ACCEPT
        -A CHECK -p tcp -m tcp --dport 80 -j RETURN
        -A CHECK -j DROP
        COMMIT
        """);
    assertThat(outcome.kind()).isEqualTo(ChainWalker.Outcome.Kind.ACCEPTED);
  }

  @Test
  void negatedMatchesAreDecidedToo() {
    ChainWalker.Outcome outcome =
        walk(
            """
        *filter
        :FORWARD ACCEPT [0:0]
        -A FORWARD ! -d 192.0.2.0/24 -j ACCEPT
        -A FORWARD -p tcp ! --dport 22 -j DROP
        COMMIT
        """);
    assertThat(outcome.kind()).isEqualTo(ChainWalker.Outcome.Kind.DROPPED);
    assertThat(outcome.rule().orElseThrow().text()).contains("! --dport 22");
  }

  @Test
  void dnatCatchesStopAtTheFirstSureOne() {
    List<FirewallChain> chains =
        Facts.iptables(
            """
        *nat
        :PREROUTING ACCEPT [0:0]
        -A PREROUTING -i eth9 -p tcp -m tcp --dport 13102 -j DNAT --to-destination 198.51.100.1:80
        -A PREROUTING -p tcp -m tcp --dport 13102 -j DNAT --to-destination 198.51.100.2:80
        -A PREROUTING -p tcp -m tcp --dport 13102 -j DNAT --to-destination 198.51.100.3:80
        COMMIT
        """);
    Packet packet =
        new Packet(IpFamily.IPV4, Protocol.TCP, Optional.empty(), 13102, false, Optional.empty());
    List<ChainWalker.Catch> catches =
        new ChainWalker(new Firewall(chains)).dnatCatches(chains.get(0), packet);
    assertThat(catches)
        .extracting(c -> c.rule().verdict().target().orElseThrow())
        .containsExactly("198.51.100.1:80", "198.51.100.2:80");
    assertThat(catches).extracting(ChainWalker.Catch::matches).containsExactly(Tri.MAYBE, Tri.YES);
  }
}
