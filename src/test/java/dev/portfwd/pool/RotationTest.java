package dev.portfwd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.BackendMember;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.table.TableParser;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotationTest {

  private static Forward forward(String line) {
    return TableParser.parse("t", line + "\n").table().forwards().get(0);
  }

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void aNameStandsForItsAddressesOfTheForwardsIpVersionInTheOrderWritten() throws Exception {
    Forward f = forward("80 192.0.2.9,game.test 80 tcp");
    List<BackendMember> members =
        Rotation.members(
            f, Map.of("game.test", List.of(ip("192.0.2.2"), ip("2001:db8::2"), ip("192.0.2.3"))));
    assertThat(members)
        .extracting(BackendMember::address)
        .containsExactly(ip("192.0.2.9"), ip("192.0.2.2"), ip("192.0.2.3"));
    assertThat(members.get(1).name()).isEqualTo("game.test");
  }

  @Test
  void downBackendsLeaveButTheLastOnesStay() throws Exception {
    Forward f = forward("80 192.0.2.2,192.0.2.18 80 tcp");
    Health down = new Health(false, 0, "refused");
    Map<CheckTarget, Health> oneDown = Map.of(new CheckTarget(ip("192.0.2.2"), 80), down);
    assertThat(Rotation.inRotation(f, Map.of(), oneDown))
        .extracting(BackendMember::address)
        .containsExactly(ip("192.0.2.18"));
    assertThat(Rotation.allDown(f, Map.of(), oneDown)).isFalse();

    Map<CheckTarget, Health> allDown =
        Map.of(
            new CheckTarget(ip("192.0.2.2"), 80),
            down,
            new CheckTarget(ip("192.0.2.18"), 80),
            down);
    assertThat(Rotation.inRotation(f, Map.of(), allDown)).hasSize(2);
    assertThat(Rotation.allDown(f, Map.of(), allDown)).isTrue();
  }

  @Test
  void udpForwardsAreCheckedOnlyWhenTheLineNamesATcpPort() throws Exception {
    Forward udp = forward("27015 192.0.2.2,192.0.2.18 27015 udp");
    assertThat(Rotation.target(udp, BackendMember.literal(ip("192.0.2.2")))).isEmpty();
    Forward proven = forward("27015 192.0.2.2,192.0.2.18 27015 udp check=tcp:27016");
    assertThat(Rotation.target(proven, BackendMember.literal(ip("192.0.2.2"))))
        .contains(new CheckTarget(ip("192.0.2.2"), 27016));
  }

  @Test
  void effectiveTableLeavesOutForwardsWhoseNamesNeverResolved() throws Exception {
    ForwardTable table = TableParser.parse("t", "80 a.test 80 tcp\n81 192.0.2.2 81 tcp\n").table();
    assertThat(Rotation.effective(table, Map.of(), Map.of()).forwards())
        .extracting(Forward::line)
        .containsExactly(2);
    assertThat(
            Rotation.effective(table, Map.of("a.test", List.of(ip("192.0.2.7"))), Map.of())
                .forwards()
                .get(0)
                .backend())
        .isEqualTo(ip("192.0.2.7"));
  }

  @Test
  void theTableAsTheKernelHoldsItKeepsEveryOptionOfTheLineSnatIncluded() throws Exception {
    ForwardTable table =
        TableParser.parse("t", "80 a.test,192.0.2.2 80 tcp balance=roundrobin snat=192.0.2.254\n")
            .table();
    Forward effective =
        Rotation.effective(table, Map.of("a.test", List.of(ip("192.0.2.7"))), Map.of())
            .forwards()
            .get(0);
    assertThat(effective.snat()).contains(ip("192.0.2.254"));
    assertThat(effective.pool().addresses()).containsExactly(ip("192.0.2.7"), ip("192.0.2.2"));
  }
}
