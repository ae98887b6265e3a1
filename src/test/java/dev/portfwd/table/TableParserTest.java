package dev.portfwd.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import dev.portfwd.model.ProxyProtocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One case per rule of the table language: the input and the exact diagnostics it yields. */
class TableParserTest {

  static Stream<Arguments> rejectedLines() {
    return Stream.of(
        bad(
            "shiftedRangeOfOtherLength",
            "8000-8009 192.0.2.2 9000-9004",
            "1:21: error: backend ports 9000-9004 hold 5 ports but external ports 8000-8009 hold 10;"
                + " give a range of the same length, or RANGE for the same ports"),
        bad("backendPortZero", "80 192.0.2.2 0", "1:14: error: backend port 0 is outside 1-65535"),
        bad("externalPortZero", "0 192.0.2.2", "1:1: error: external port 0 is outside 1-65535"),
        bad(
            "backendPortTooLarge",
            "80 192.0.2.2 100000",
            "1:14: error: backend port 100000 is outside 1-65535"),
        bad(
            "externalPortTooLarge",
            "65536 192.0.2.2",
            "1:1: error: external port 65536 is outside 1-65535"),
        bad(
            "badBackendAddress",
            "80 192.0.2.300",
            "1:4: error: expected the backend's IPv4 or IPv6 address, found '192.0.2.300'"),
        bad(
            "reversedDashRange",
            "9-5 192.0.2.2",
            "1:1: error: reversed external port range 9-5; the first port must not be greater than the"
                + " last (did you mean 5-9?)"),
        bad(
            "reversedColonRange",
            "9:5 192.0.2.2",
            "1:1: error: reversed external port range 9:5; the first port must not be greater than the"
                + " last (did you mean 5-9?)"),
        bad(
            "openRange",
            "80 192.0.2.2 80-",
            "1:17: error: expected a backend port (1-65535) or a range like 8000-8009, found nothing"),
        bad(
            "misspelledProtocol",
            "80 192.0.2.2 80 tpc",
            "1:17: error: unknown protocol 'tpc'; expected tcp, udp or tcp,udp (did you mean tcp?)"),
        bad(
            "unknownProtocol",
            "80 192.0.2.2 80 sctp",
            "1:17: error: unknown protocol 'sctp'; expected tcp, udp or tcp,udp (did you mean tcp?)"),
        bad(
            "unknownProtocolFarFromAny",
            "80 192.0.2.2 80 quic",
            "1:17: error: unknown protocol 'quic'; expected tcp, udp or tcp,udp"),
        bad(
            "protocolListedTwice",
            "80 192.0.2.2 80 tcp,tcp",
            "1:21: error: protocol 'tcp' listed twice"),
        bad(
            "unknownOptionWithSuggestion",
            "80 192.0.2.2 80 masq=no",
            "1:17: error: unknown option 'masq'; expected one of from, masquerade, proxy-protocol,"
                + " snat, balance, check (did you mean masquerade?)"),
        bad(
            "unknownOptionCloseTypo",
            "80 192.0.2.2 80 form=192.0.2.0/24",
            "1:17: error: unknown option 'form'; expected one of from, masquerade, proxy-protocol,"
                + " snat, balance, check (did you mean from?)"),
        bad(
            "badMasqueradeValue",
            "80 192.0.2.2 80 masquerade=maybe",
            "1:28: error: expected masquerade=yes or masquerade=no, found 'maybe'"),
        bad(
            "badProxyProtocol",
            "80 192.0.2.2 80 proxy-protocol=v3",
            "1:32: error: expected proxy-protocol=v1, v2 or none, found 'v3'"),
        bad(
            "snatNotAnAddress",
            "80 192.0.2.2 80 snat=vip.test",
            "1:22: error: expected an IP address like 192.0.2.254 in snat=, found 'vip.test'"),
        bad(
            "snatOfOtherFamily",
            "80 192.0.2.2 80 snat=2001:db8::1",
            "1:22: error: snat=2001:db8::1 is of another IP version than the backend"),
        bad(
            "snatWithMasqueradeNo",
            "80 192.0.2.2 80 masquerade=no snat=192.0.2.254",
            "1:31: error: snat= translates the source address, masquerade=no keeps it; expected one"
                + " of the two"),
        bad(
            "prefixTooLong",
            "80 192.0.2.2 80 from=192.0.2.0/33",
            "1:32: error: prefix length '33' is not a number from 0 to 32"),
        bad(
            "sourceNotAnAddress",
            "80 192.0.2.2 80 from=gateway",
            "1:22: error: expected an address or CIDR like 203.0.113.0/24 in from=, found 'gateway'"),
        bad(
            "secondSourceBad",
            "80 192.0.2.2 80 from=192.0.2.0/24,x",
            "1:35: error: expected an address or CIDR like 203.0.113.0/24 in from=, found 'x'"),
        bad(
            "emptyOption",
            "80 192.0.2.2 80 from=",
            "1:22: error: option 'from' needs a value after '='"),
        bad(
            "optionTwice",
            "80 192.0.2.2 80 from=192.0.2.0/24 from=198.51.100.0/24",
            "1:35: error: option 'from' given twice (first at column 17)"),
        bad(
            "backendPortAfterProtocol",
            "80 192.0.2.2 80 tcp 81",
            "1:21: error: unexpected '81'; the backend port comes right after the backend address,"
                + " before the protocol and options"),
        bad(
            "protocolAfterOption",
            "80 192.0.2.2 80 masquerade=no tcp",
            "1:31: error: unexpected 'tcp'; the protocol comes before the options"),
        bad(
            "strayWord",
            "80 192.0.2.2 80 tcp apache",
            "1:21: error: unexpected 'apache'; expected a backend port, RANGE, a protocol (tcp, udp or"
                + " tcp,udp) or an option key=value"),
        bad(
            "missingBackend",
            "80",
            "1:3: error: expected the backend's IP address after '80', found the end of the line"),
        bad(
            "bareIpv6External",
            "2001:db8::1:443 2001:db8::2",
            "1:1: error: write an IPv6 external address in brackets, e.g. [2001:db8::1]:443; found"
                + " '2001:db8::1:443'"),
        bad(
            "unclosedBracket",
            "[2001:db8::1 2001:db8::2",
            "1:1: error: missing ']' after the IPv6 address in '[2001:db8::1'; expected [ADDRESS]:PORT"),
        bad(
            "ipv4InBrackets",
            "[192.0.2.1]:443 2001:db8::2",
            "1:2: error: expected an IPv6 address inside [ ], found '192.0.2.1'"),
        bad(
            "bracketWithoutPort",
            "[2001:db8::1]443 2001:db8::2",
            "1:14: error: expected ':PORT' after '[2001:db8::1]'"),
        bad(
            "externalAddressWithoutPort",
            "198.51.100.7 192.0.2.2",
            "1:13: error: expected ':PORT' after the external address 198.51.100.7 (e.g. 198.51.100.7:443)"),
        bad(
            "externalAddressBadPort",
            "198.51.100.7:x 192.0.2.2",
            "1:14: error: expected an external port (1-65535) or a range like 8000-8009, found 'x'"),
        bad(
            "backendWithPortGlued",
            "80 192.0.2.2:80",
            "1:4: error: expected the backend address and port as separate columns ('192.0.2.2 80'),"
                + " found '192.0.2.2:80'"),
        bad(
            "backendNameWithBadCharacters",
            "80 back_end.example",
            "1:4: error: expected the backend's IP address or host name, found 'back_end.example';"
                + " a name has letters, digits, hyphens and dots only"),
        bad(
            "backendListedTwice",
            "80 192.0.2.2,192.0.2.2",
            "1:14: error: backend '192.0.2.2' is listed twice on this line"),
        bad(
            "unknownBalance",
            "80 192.0.2.2,192.0.2.3 balance=random",
            "1:32: error: unknown balance 'random'; expected failover, roundrobin or hash"),
        bad(
            "badCheckPort",
            "80 192.0.2.2,192.0.2.3 check=tcp:0",
            "1:30: error: unknown check 'tcp:0'; expected tcp, tcp:PORT or none"),
        bad(
            "unspecifiedBackend",
            "80 0.0.0.0",
            "1:4: error: backend 0.0.0.0 is the unspecified address; name the backend's own address"),
        bad(
            "multicastBackend",
            "80 224.0.0.1",
            "1:4: error: backend 224.0.0.1 is a multicast or broadcast address; name one host"),
        bad(
            "controlCharacter",
            "80 192.0.2.2 \u0007",
            "1:14: error: control character U+0007 is not allowed in a table"),
        bad(
            "invalidUtf8",
            "80 192.0.2.2 # caf\uFFFD",
            "1:19: error: this line is not valid UTF-8; save the table as UTF-8"),
        bad(
            "everyProblemOfALineAtOnce",
            "8000-8009 192.0.2.2 9000-9004 tpc masq=no",
            "1:21: error: backend ports 9000-9004 hold 5 ports but external ports 8000-8009 hold 10;"
                + " give a range of the same length, or RANGE for the same ports",
            "1:31: error: unknown protocol 'tpc'; expected tcp, udp or tcp,udp (did you mean tcp?)",
            "1:35: error: unknown option 'masq'; expected one of from, masquerade, proxy-protocol,"
                + " snat, balance, check (did you mean masquerade?)"));
  }

  static Stream<Arguments> warnedLines() {
    return Stream.of(
        bad(
            "loopbackBackend",
            "80 127.0.0.1",
            "1:4: warning: backend 127.0.0.1 is a loopback address; the kernel does not forward to"
                + " loopback (only the relay can reach it)"),
        bad(
            "sshPortOnEveryAddress",
            "22 192.0.2.2",
            "1:1: warning: this forward takes port 22 on every address of the gateway; if you reach the"
                + " gateway by SSH on port 22, you lock yourself out (name an external address, or move SSH)"),
        bad(
            "mixedFamilies",
            "[2001:db8::1]:443 192.0.2.2 443 tcp",
            "1:19: warning: external address and backend are of different IP versions; only 'portfwd"
                + " relay' can serve this line, kernel backends will refuse it"),
        bad(
            "proxyV1OverUdp",
            "80 192.0.2.2 80 udp proxy-protocol=v1",
            "1:21: warning: PROXY protocol v1 is TCP-only; UDP datagrams of this forward get no header"
                + " (use v2, or limit the line to tcp)"),
        bad(
            "hostBitsInSource",
            "80 192.0.2.2 80 from=192.0.2.7/24",
            "1:22: warning: 192.0.2.7/24 has host bits set; it means 192.0.2.0/24"),
        bad(
            "sourceOfOtherFamily",
            "198.51.100.7:80 192.0.2.2 80 from=2001:db8::/32",
            "1:30: warning: from=2001:db8::/32 can never match: the external address is of the other IP"
                + " version"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"rejectedLines", "warnedLines"})
  void reportsExactPlaceAndMessage(String name, String input, List<String> expected) {
    ParseResult result = TableParser.parse("t", input);

    assertThat(result.diagnostics())
        .extracting(
            d -> d.line() + ":" + d.column() + ": " + d.severity().label() + ": " + d.message())
        .containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedLines")
  void yieldsNoForwardForALineWithErrors(String name, String input, List<String> expected) {
    assertThat(TableParser.parse("t", input).table().forwards()).isEmpty();
  }

  @Test
  void readsTheOriginalFormatUnchanged() {
    String seed =
        """
        # Ext-port Int-IP Int-port
        13102 172.16.0.2 80 # Netbook Apache
        13103 172.16.0.3 80 # D800 Apache
        13110 172.16.0.2 13110 # Sauerbraten
        13111 172.16.0.2 13111 # Sauerbraten Ping
        # 7777 172.16.0.4 7777 # UT2004
        """;

    ParseResult result = TableParser.parse("seed", seed);

    assertThat(result.diagnostics()).isEmpty();
    assertThat(result.table().forwards())
        .containsExactly(
            described(Forward.simple(2, 13102, ip("172.16.0.2"), 80), "Netbook Apache"),
            described(Forward.simple(3, 13103, ip("172.16.0.3"), 80), "D800 Apache"),
            described(Forward.simple(4, 13110, ip("172.16.0.2"), 13110), "Sauerbraten"),
            described(Forward.simple(5, 13111, ip("172.16.0.2"), 13111), "Sauerbraten Ping"));
  }

  @Test
  void readsEveryColumnAndOption() {
    Forward forward =
        only(
            "198.51.100.7:8000-8009 192.0.2.2 9000-9009 udp from=203.0.113.0/24,198.51.100.0/25"
                + " masquerade=no proxy-protocol=v2 # game # servers");

    assertThat(forward.externalAddress()).contains(ip("198.51.100.7"));
    assertThat(forward.externalPorts()).isEqualTo(new PortRange(8000, 8009));
    assertThat(forward.backendPorts()).isEqualTo(new PortRange(9000, 9009));
    assertThat(forward.protocols()).containsExactly(Protocol.UDP);
    assertThat(forward.allowedSources())
        .containsExactly(new Cidr(ip("203.0.113.0"), 24), new Cidr(ip("198.51.100.0"), 25));
    assertThat(forward.masquerade()).isFalse();
    assertThat(forward.proxyProtocol()).isEqualTo(ProxyProtocol.V2);
    assertThat(forward.description()).isEqualTo("game # servers");
  }

  @Test
  void readsSnatAddress() {
    Forward forward = only("13102 192.0.2.2 80 tcp snat=192.0.2.254");

    assertThat(forward.snat()).contains(ip("192.0.2.254"));
    assertThat(forward.masquerade()).isTrue();
    assertThat(only("13102 192.0.2.2 80 tcp").snat()).isEmpty();
  }

  @Test
  void treatsRangeWordAndOmittedPortAsSamePorts() {
    assertThat(only("7777:7779 192.0.2.4 RANGE").backendPorts())
        .isEqualTo(new PortRange(7777, 7779));
    assertThat(only("7777-7779 192.0.2.4 range tcp").backendPorts())
        .isEqualTo(new PortRange(7777, 7779));
    assertThat(only("7777-7779 192.0.2.4").backendPorts()).isEqualTo(new PortRange(7777, 7779));
  }

  @Test
  void readsIpv6ExternalAddressAndBackend() {
    Forward forward = only("[2001:db8::1]:443 [2001:db8::2] 8443 tcp");

    assertThat(forward.externalAddress()).contains(ip("2001:db8::1"));
    assertThat(forward.backend()).isEqualTo(ip("2001:db8::2"));
    assertThat(forward.backendPorts()).isEqualTo(PortRange.of(8443));
  }

  @Test
  void defaultsToBothProtocolsAndMasquerade() {
    Forward forward = only("80 192.0.2.2");

    assertThat(forward.protocols()).isEqualTo(Set.of(Protocol.TCP, Protocol.UDP));
    assertThat(forward.masquerade()).isTrue();
    assertThat(forward.proxyProtocol()).isEqualTo(ProxyProtocol.NONE);
    assertThat(forward.externalAddress()).isEqualTo(Optional.empty());
  }

  @Test
  void toleratesCrlfTabsBomAndUtf8() {
    ParseResult result =
        TableParser.parse("t", "\uFEFF80\t192.0.2.2\t80\t# Café ☕\r\n81 192.0.2.2\r\n");

    assertThat(result.diagnostics()).isEmpty();
    assertThat(result.table().forwards())
        .extracting(Forward::description)
        .containsExactly("Café ☕", "");
    assertThat(result.table().forwards()).extracting(Forward::line).containsExactly(1, 2);
  }

  @Test
  void refusesACarriageReturnThatHidesAForwardInALineOfATextWithLineFeeds() {
    ParseResult result =
        TableParser.parse(
            "t", "13102 192.0.2.2 80 tcp # web\r13105 192.0.2.5 22 tcp\n13103 192.0.2.3 80 tpc\n");

    assertThat(result.diagnostics())
        .extracting(Diagnostic::line, Diagnostic::column)
        .contains(tuple(1, 29), tuple(2, 20));
    assertThat(result.diagnostics().get(0).message()).contains("U+000D");
  }

  @Test
  void readsATextOfLoneCarriageReturnsAsLines() {
    ParseResult result = TableParser.parse("t", "80 192.0.2.2\r81 192.0.2.2\r");

    assertThat(result.diagnostics()).isEmpty();
    assertThat(result.table().forwards()).extracting(Forward::line).containsExactly(1, 2);
  }

  @Test
  void keepsCheckingLinesAfterABadOne() {
    ParseResult result = TableParser.parse("t", "x 192.0.2.2\n81 192.0.2.2\n0 192.0.2.2\n");

    assertThat(result.errors()).extracting(Diagnostic::line).containsExactly(1, 3);
    assertThat(result.table().forwards()).extracting(Forward::line).containsExactly(2);
  }

  private static Forward only(String line) {
    ParseResult result = TableParser.parse("t", line);
    assertThat(result.diagnostics()).isEmpty();
    assertThat(result.table().forwards()).hasSize(1);
    return result.table().forwards().get(0);
  }

  static Forward described(Forward forward, String description) {
    return new Forward(
        forward.line(),
        forward.externalAddress(),
        forward.externalPorts(),
        forward.backend(),
        forward.backendPorts(),
        forward.protocols(),
        forward.allowedSources(),
        forward.masquerade(),
        forward.proxyProtocol(),
        description);
  }

  static InetAddress ip(String literal) {
    return Addresses.parse(literal).orElseThrow();
  }

  private static Arguments bad(String name, String input, String... expected) {
    return Arguments.of(name, input, List.of(expected));
  }
}
