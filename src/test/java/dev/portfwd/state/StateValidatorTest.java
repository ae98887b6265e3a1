package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.host.ForwardingSysctls;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A recorded state is checked as a table would be before anything restores it. */
class StateValidatorTest {

  private static Snapshot lines(String... lines) {
    return new Snapshot("t.txt", Instant.EPOCH, "nftables", List.of(lines), Set.of());
  }

  @Test
  void acceptsWhatApplyRecords() {
    Snapshot recorded =
        Snapshot.of(
            "t.txt",
            Instant.EPOCH,
            "nftables",
            Forwards.of(
                "198.51.100.7:8000-8009 192.0.2.2 9000-9009 tcp from=203.0.113.0/24 # a\tb\n"
                    + "[2001:db8:1::1]:443 2001:db8:2::2 udp\n"
                    + "7777-7779 192.0.2.4 RANGE\n"
                    + "8000 192.0.2.5 80 tcp\n"),
            Set.of(ForwardingSysctls.IPV4, ForwardingSysctls.IPV6));
    assertThat(StateValidator.validate(recorded)).isEqualTo(recorded.forwards());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          port out of range  | IPV4\t-\tTCP\t70000\t192.0.2.2\t70000\t-\tyes\tx | line 2: port out of range 1-65535: 70000-70000
          not an address     | IPV4\t-\tTCP\t22\t203.0.113.666\t22\t-\tyes\tx | line 2: not an address: 203.0.113.666
          mixed IP versions  | IPV4\t-\tTCP\t22\t2001:db8::2\t22\t-\tyes\tx   | line 2: addresses of one forward must share one IP version
          unspecified host   | IPV4\t-\tTCP\t22\t0.0.0.0\t22\t-\tyes\tx       | line 2: backend 0.0.0.0 is not the address of a host
          multicast host     | IPV4\t-\tTCP\t22\t224.0.0.1\t22\t-\tyes\tx     | line 2: backend 224.0.0.1 is not the address of a host
          broadcast host     | IPV4\t-\tTCP\t22\t255.255.255.255\t22\t-\tyes\tx | line 2: backend 255.255.255.255 is not the address of a host
          two-line comment   | IPV4\t-\tTCP\t22\t192.0.2.2\t22\t-\tyes\ta\\nb | line 2: a description is one line
          missing fields     | IPV4\t-\tTCP\t22                             | line 2: expected 9 fields
          """)
  void refusesALineNoTableCouldGive(String name, String line, String message) {
    String real = line.strip().replace("\\t", "\t");
    assertThatThrownBy(() -> StateValidator.validate(lines(real)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message.strip());
  }

  @Test
  void refusesTwoForwardsClaimingOnePortAndNamesBothLines() {
    Snapshot clash =
        lines(
            "IPV4\t-\tTCP\t20\t192.0.2.2\t20\t-\tyes\ta",
            "IPV4\t-\tTCP\t22-30\t192.0.2.2\t22-30\t-\tyes\tb",
            "IPV4\t-\tTCP\t25\t203.0.113.66\t25\t-\tyes\tc");
    assertThatThrownBy(() -> StateValidator.validate(clash))
        .hasMessage("line 4: port 25/tcp is already forwarded by line 3");
  }

  @Test
  void refusesTheSameForwardTwice() {
    String line = "IPV4\t-\tUDP\t53\t192.0.2.2\t53\t-\tyes\t";
    assertThatThrownBy(() -> StateValidator.validate(lines(line, line)))
        .hasMessage("line 3: port 53/udp is already forwarded by line 2");
  }

  @Test
  void forwardsOnOtherAddressesOrProtocolsDoNotClash() {
    StateValidator.validate(
        lines(
            "IPV4\t-\tTCP\t22\t192.0.2.2\t22\t-\tyes\t",
            "IPV4\t-\tUDP\t22\t192.0.2.2\t22\t-\tyes\t",
            "IPV4\t198.51.100.7\tTCP\t22\t192.0.2.3\t22\t-\tyes\t"));
  }

  @Test
  void refusesAnySysctlButTheForwardingOnes() {
    Snapshot planted =
        new Snapshot("t.txt", Instant.EPOCH, "nftables", List.of(), Set.of("kernel.core_pattern"));
    assertThatThrownBy(() -> StateValidator.validate(planted))
        .hasMessage("'forwardingOn' names kernel.core_pattern, which is not a forwarding sysctl");
  }
}
