package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

  private static final InetAddress A = address("203.0.113.10");
  private static final InetAddress B = address("203.0.113.11");

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void refusesASourceOverItsShare() {
    ConnectionLimits limits = new ConnectionLimits(10, 2);
    assertThat(limits.tryOpen(A)).isNull();
    assertThat(limits.tryOpen(A)).isNull();
    assertThat(limits.tryOpen(A))
        .isEqualTo(
            new ConnectionLimits.Refusal(
                "--max-connections-per-source",
                "2 connections from this address (or its IPv6 /64) open already (--max-connections-per-source 2)"));
    assertThat(limits.tryOpen(B)).as("another source still gets in").isNull();
    limits.closed(A);
    assertThat(limits.tryOpen(A)).as("a closed connection gives its slot back").isNull();
    assertThat(limits.open()).isEqualTo(3);
  }

  @Test
  void countsAnIpv6ClientByItsSlash64AndAMappedIpv4ClientAsItsIpv4Address() {
    ConnectionLimits limits = new ConnectionLimits(10, 2);
    assertThat(limits.tryOpen(address("2001:db8:1:2::10"))).isNull();
    assertThat(limits.tryOpen(address("2001:db8:1:2:ffff::99"))).isNull();
    assertThat(limits.tryOpen(address("2001:db8:1:2:abcd::1")))
        .as("a third address of the same /64")
        .isNotNull();
    assertThat(limits.tryOpen(address("2001:db8:1:3::10"))).as("another /64").isNull();
    limits.closed(address("2001:db8:1:2::10"));
    assertThat(limits.tryOpen(address("2001:db8:1:2:abcd::1"))).isNull();

    assertThat(limits.tryOpen(A)).isNull();
    assertThat(limits.tryOpen(address("::ffff:203.0.113.10"))).isNull();
    assertThat(limits.tryOpen(A)).as("the mapped form is the same client").isNotNull();
  }

  @Test
  void refusesEveryoneOverTheTotal() {
    ConnectionLimits limits = new ConnectionLimits(2, 0);
    assertThat(limits.tryOpen(A)).isNull();
    assertThat(limits.tryOpen(A)).as("0: no per-source limit").isNull();
    assertThat(limits.tryOpen(B).reason())
        .isEqualTo("2 connections open already (--max-connections 2)");
    limits.closed(A);
    assertThat(limits.tryOpen(B)).isNull();
  }

  @Test
  void warnsWhenTheFileLimitCannotHoldMaxConnections() {
    assertThat(ConnectionLimits.fileLimitWarning(10_000, 65_536)).isEmpty();
    assertThat(ConnectionLimits.fileLimitWarning(10_000, 20_000))
        .hasValueSatisfying(
            warning ->
                assertThat(warning)
                    .contains("file descriptor limit of 20000", "--max-connections 10000"));
    assertThat(ConnectionLimits.fileLimitWarning(10_000, -1)).as("limit unknown").isEmpty();
  }
}
