package dev.portfwd.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Clashes between lines: the error stands on the later line and names the earlier one. */
class TableValidatorTest {

  static Stream<Arguments> tables() {
    return Stream.of(
        clash(
            "samePortTwice",
            "13102 192.0.2.2 80\n13102 192.0.2.3 80\n",
            "2:1: error: port 13102/tcp,udp is already forwarded by line 1 (13102 -> 192.0.2.2:80)"),
        clash(
            "overlappingRanges",
            "8000-8009 192.0.2.2\n8005-8020 192.0.2.3\n",
            "2:1: error: port 8005-8009/tcp,udp is already forwarded by line 1 (8000-8009 -> 192.0.2.2:8000-8009)"),
        clash(
            "laterRangeSwallowsEarlierPort",
            "8005 192.0.2.2 tcp\n  8000-8009 192.0.2.3 tcp\n",
            "2:3: error: port 8005/tcp is already forwarded by line 1 (8005 -> 192.0.2.2:8005)"),
        clash(
            "onlyTheSharedProtocolIsNamed",
            "53 192.0.2.2 53 tcp,udp\n53 192.0.2.3 53 udp\n",
            "2:1: error: port 53/udp is already forwarded by line 1 (53 -> 192.0.2.2:53)"),
        clash(
            "sameExternalAddress",
            "198.51.100.7:443 192.0.2.2\n198.51.100.7:443 192.0.2.3\n",
            "2:1: error: port 443/tcp,udp on 198.51.100.7 is already forwarded by line 1"
                + " (198.51.100.7:443 -> 192.0.2.2:443)"),
        clash(
            "sameIpv6ExternalAddress",
            "[2001:db8::1]:443 2001:db8::2\n[2001:db8::1]:443 2001:db8::3\n",
            "2:1: error: port 443/tcp,udp on 2001:db8::1 is already forwarded by line 1"
                + " ([2001:db8::1]:443 -> [2001:db8::2]:443)"),
        clash(
            "eachLaterLineNamesTheEarliest",
            "1000-2000 192.0.2.2\n1500 192.0.2.3\n1600 192.0.2.4\n",
            "2:1: error: port 1500/tcp,udp is already forwarded by line 1 (1000-2000 -> 192.0.2.2:1000-2000)",
            "3:1: error: port 1600/tcp,udp is already forwarded by line 1 (1000-2000 -> 192.0.2.2:1000-2000)"),
        clash("otherProtocolIsFine", "53 192.0.2.2 53 tcp\n53 192.0.2.3 53 udp\n"),
        clash("adjacentRangesAreFine", "8000-8009 192.0.2.2\n8010-8019 192.0.2.3\n"),
        clash("namedAddressOverridesAnyAddress", "443 192.0.2.2\n198.51.100.7:443 192.0.2.3\n"),
        clash(
            "differentExternalAddresses",
            "198.51.100.7:443 192.0.2.2\n198.51.100.8:443 192.0.2.3\n"),
        clash("ipv4AndIpv6BackendsCatchDifferentTraffic", "443 192.0.2.2\n443 2001:db8::2\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tables")
  void reportsClashesOnTheLaterLine(String name, String table, List<String> expected) {
    assertThat(TableParser.parse("t", table).diagnostics())
        .extracting(
            d -> d.line() + ":" + d.column() + ": " + d.severity().label() + ": " + d.message())
        .containsExactlyElementsOf(expected);
  }

  @Test
  void validatesAHundredThousandLinesWithoutQuadraticBlowUp() {
    // Ports end at 65,535: two external addresses of 50,000 ports each.
    StringBuilder table = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      table
          .append("198.51.100.")
          .append(1 + i / 50_000)
          .append(':')
          .append(1 + i % 50_000)
          .append(" 192.0.2.2\n");
    }
    table.append("198.51.100.1:30000 192.0.2.3\n");

    // Linear, this takes well under a second; one comparison of each line with each other takes
    // 5 * 10^9 of them, minutes.
    ParseResult result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20), () -> TableParser.parse("t", table.toString()));

    assertThat(result.errors())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.line()).isEqualTo(100_001);
              assertThat(d.message()).contains("already forwarded by line 30000");
            });
  }

  private static Arguments clash(String name, String table, String... expected) {
    return Arguments.of(name, table, List.of(expected));
  }
}
