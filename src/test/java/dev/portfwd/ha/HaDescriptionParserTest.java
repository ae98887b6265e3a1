package dev.portfwd.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.table.Diagnostic;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: a bad line of an otherwise good description, and the error it must give. */
class HaDescriptionParserTest {

  private static final String GOOD =
      """
      virtual-public 203.0.113.1/24
      virtual-vpn 192.0.2.254/24
      router-id 51
      secret pairkey1
      advert 100ms
      gateway gw-a priority=150 public=203.0.113.2%wan vpn=192.0.2.1%vpn sync=198.51.100.1%sync
      gateway gw-b priority=100 public=203.0.113.3%wan vpn=192.0.2.3%vpn sync=198.51.100.2%sync
      """;

  static Stream<Arguments> badLines() {
    return Stream.of(
        bad(
            "router-id 51",
            "router-id 256",
            "3:11: error: expected a VRRP router id from 1 to 255, found '256'"),
        bad(
            "secret pairkey1",
            "secret ninechars",
            "4:8: error: expected a secret of 1 to 8 printable"),
        // keepalived splits a word at a brace (auth_pass ab}cd closed the block, and its check
        // passed) and substitutes $NAME.
        bad("secret pairkey1", "secret ab}cd", "4:8: error: expected a secret of 1 to 8 printable"),
        bad("secret pairkey1", "secret ab{cd", "4:8: error: expected a secret of 1 to 8 printable"),
        bad("secret pairkey1", "secret ab$cd", "4:8: error: expected a secret of 1 to 8 printable"),
        bad("secret pairkey1", "secret !abc", "4:8: error: expected a secret of 1 to 8 printable"),
        bad(
            "advert 100ms",
            "advert 1500ms",
            "5:8: error: expected an advertisement interval like 1s"),
        bad("advert 100ms", "advert 105ms", "5:8: error: expected an advertisement interval"),
        bad(
            "virtual-vpn 192.0.2.254/24",
            "virtual-vpn 192.0.2.254",
            "2:24: error: expected the prefix length"),
        bad(
            "virtual-vpn 192.0.2.254/24",
            "virtual-vpn 2001:db8::1/64",
            "2:13: error: expected an IPv4 address, found '2001:db8::1' (an HA pair is IPv4 for now)"),
        bad(
            "virtual-vpn 192.0.2.254/24",
            "virtual-vpn 192.0.2.254/24 extra",
            "2:28: error: unexpected 'extra' after virtual-vpn's value"),
        bad("router-id 51", "router-di 51", "3:1: error: unknown setting 'router-di'"),
        bad(
            "secret pairkey1",
            "secret pairkey1\nsecret other",
            "5:1: error: secret is already set on line 4"),
        bad(
            "vpn=192.0.2.3%vpn",
            "vpn=192.0.2.3",
            "7:54: error: expected ADDRESS%INTERFACE like 192.0.2.1%vpn, found '192.0.2.3'"),
        bad(
            "vpn=192.0.2.3%vpn",
            "vpn=192.0.2.3%this-name-is-too-long",
            "7:64: error: expected an interface name of at most 15"),
        bad("priority=100", "priority=150", "7:14: error: both gateways have priority 150"),
        bad(
            "priority=100",
            "priority=0",
            "7:23: error: expected a VRRP priority from 1 to 254, found '0'"),
        bad("priority=100", "prio=100", "7:14: error: unknown gateway option 'prio=100'"),
        bad(
            "gateway gw-b",
            "gateway gw-a",
            "7:9: error: gateway gw-a is already declared on line 6"),
        bad(
            "vpn=192.0.2.3%vpn",
            "vpn=192.0.2.254%vpn", "7:54: error: 192.0.2.254 is already virtual-vpn"),
        bad(
            "gateway gw-b priority=100 public=203.0.113.3%wan vpn=192.0.2.3%vpn sync=198.51.100.2%sync\n",
            "", "6:1: error: expected two 'gateway NAME"),
        bad("router-id 51\n", "", "6:1: error: missing setting router-id"));
  }

  private static Arguments bad(String replace, String with, String expected) {
    return Arguments.of(GOOD.replace(replace, with), expected);
  }

  @ParameterizedTest
  @MethodSource("badLines")
  void rejectsABadDescriptionWithItsPlace(String text, String expected) {
    HaDescriptionParser.Result result = HaDescriptionParser.parse("pair.ha", text);

    assertThat(result.description()).isEmpty();
    List<String> headlines =
        result.diagnostics().stream()
            .map(Diagnostic::headline)
            .map(h -> h.substring("pair.ha:".length()))
            .toList();
    assertThat(headlines).anySatisfy(h -> assertThat(h).startsWith(expected));
  }

  @Test
  void readsAGoodDescription() {
    HaDescription pair = HaDescriptionParser.parse("pair.ha", GOOD).description().orElseThrow();

    assertThat(pair.virtualVpn()).hasToString("192.0.2.254/24");
    assertThat(pair.advertInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(pair.vrrpVersion3()).isTrue();
    assertThat(pair.syncPort()).isEqualTo(3780);
    assertThat(pair.gateway("gw-b").orElseThrow().vpnSide()).hasToString("192.0.2.3%vpn");
    assertThat(pair.peerOf(pair.gateway("gw-b").orElseThrow()).name()).isEqualTo("gw-a");
  }
}
