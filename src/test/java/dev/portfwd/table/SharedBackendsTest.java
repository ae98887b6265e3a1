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

/**
 * A masquerade=no forward and a snat= forward, or two snat= forwards of different addresses, may
 * not share a backend port.
 */
class SharedBackendsTest {

  private static final String WHY =
      ", and the kernel chooses the source translation by the backend's address and port alone"
          + " (give one of them another backend port, or both the same snat=)";

  static Stream<Arguments> tables() {
    return Stream.of(
        table(
            "masqueradeNoAfterSnat",
            "13102 192.0.2.2 80 tcp snat=192.0.2.254\n13103 192.0.2.2 80 tcp masquerade=no\n",
            "2:7: error: masquerade=no cannot keep the clients' address on backend 192.0.2.2 port"
                + " 80/tcp: line 1 translates it to snat=192.0.2.254"
                + WHY),
        table(
            "snatAfterMasqueradeNo",
            "13103 192.0.2.2 80 masquerade=no\n  13102 192.0.2.2 80 udp snat=192.0.2.254\n",
            "2:9: error: snat=192.0.2.254 cannot take backend 192.0.2.2 port 80/udp: line 1"
                + " forwards to it with masquerade=no"
                + WHY),
        table(
            "overlappingBackendRanges",
            "8000-8009 192.0.2.2 tcp snat=192.0.2.254\n9005 192.0.2.2 8005 tcp masquerade=no\n",
            "2:6: error: masquerade=no cannot keep the clients' address on backend 192.0.2.2 port"
                + " 8005/tcp: line 1 translates it to snat=192.0.2.254"
                + WHY),
        table(
            "oneOfSeveralBackends",
            "13102 192.0.2.3,192.0.2.2 80 tcp snat=192.0.2.254\n"
                + "13103 192.0.2.2 80 tcp masquerade=no\n",
            "2:7: error: masquerade=no cannot keep the clients' address on backend 192.0.2.2 port"
                + " 80/tcp: line 1 translates it to snat=192.0.2.254"
                + WHY),
        table(
            "twoSnatAddressesOnOneBackendPort",
            "8080 192.0.2.2 80 tcp snat=192.0.2.1\n8081 192.0.2.2 80 tcp   snat=192.0.2.9\n",
            "2:25: error: snat=192.0.2.9 cannot take backend 192.0.2.2 port 80/tcp: line 1"
                + " translates it to snat=192.0.2.1"
                + WHY),
        table(
            "twoSnatAddressesOnSpreadBackends",
            "8080 192.0.2.3,192.0.2.2 80 tcp snat=192.0.2.1\n"
                + "7081-7085 192.0.2.2 78-82 tcp snat=192.0.2.1\n"
                + "8084-8086 192.0.2.4,192.0.2.2 79-81 balance=hash snat=192.0.2.9\n",
            "3:50: error: snat=192.0.2.9 cannot take backend 192.0.2.2 port 79-81/tcp: line 2"
                + " translates it to snat=192.0.2.1"
                + WHY,
            "3:50: error: snat=192.0.2.9 cannot take backend 192.0.2.2 port 80/tcp: line 1"
                + " translates it to snat=192.0.2.1"
                + WHY),
        table(
            "oneSnatAddressMayShare",
            "8080 192.0.2.2 80 tcp snat=192.0.2.1\n8081 192.0.2.2 80 tcp snat=192.0.2.1\n"),
        table(
            "anotherBackendPortIsFine",
            "13102 192.0.2.2 80 tcp snat=192.0.2.254\n13103 192.0.2.2 81 tcp masquerade=no\n"),
        table(
            "anotherProtocolIsFine",
            "13102 192.0.2.2 80 tcp snat=192.0.2.254\n13103 192.0.2.2 80 udp masquerade=no\n"),
        table(
            "masqueradeYesMayShare",
            "13102 192.0.2.2 80 tcp snat=192.0.2.254\n13103 192.0.2.2 80 tcp\n"),
        table(
            "twoMasqueradeNoMayShare",
            "13102 192.0.2.2 80 tcp masquerade=no\n13103 192.0.2.2 80 tcp masquerade=no\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tables")
  void refusesTwoSourceTranslationsOfOneBackendPort(
      String name, String table, List<String> expected) {
    assertThat(TableParser.parse("t", table).diagnostics())
        .extracting(
            d -> d.line() + ":" + d.column() + ": " + d.severity().label() + ": " + d.message())
        .containsExactlyElementsOf(expected);
  }

  @Test
  void checksSixtyThousandLinesOnOneBackendPortWithoutQuadraticBlowUp() {
    StringBuilder table = new StringBuilder();
    for (int i = 1; i <= 60_000; i++) {
      table.append(i).append(" 192.0.2.2 80 tcp ");
      table.append(i % 2 == 0 ? "snat=192.0.2.254\n" : "masquerade=no\n");
    }
    ParseResult result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20), () -> TableParser.parse("t", table.toString()));
    assertThat(result.errorCount()).isEqualTo(59_999);
  }

  private static Arguments table(String name, String table, String... expected) {
    return Arguments.of(name, table, List.of(expected));
  }
}
