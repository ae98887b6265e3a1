package dev.portfwd.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

  /** What parse meant when it asked NetUtil about every literal. */
  private static Optional<InetAddress> netty(String literal) {
    if (!NetUtil.isValidIpV4Address(literal) && !NetUtil.isValidIpV6Address(literal)) {
      return Optional.empty();
    }
    if (literal.indexOf('%') >= 0) {
      return Optional.empty();
    }
    return Optional.ofNullable(NetUtil.createInetAddressFromIpAddressString(literal));
  }

  @Property(tries = 3000)
  void parsesLikeNetUtil(@ForAll("literals") String literal) {
    Optional<InetAddress> parsed = Addresses.parse(literal);
    assertThat(parsed).isEqualTo(netty(literal));
    parsed.ifPresent(a -> assertThat(Addresses.format(a)).isEqualTo(NetUtil.toAddressString(a)));
  }

  @Provide
  Arbitrary<String> literals() {
    Arbitrary<String> octet =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 300).map(String::valueOf),
            Arbitraries.strings().withChars("0123456789").ofMinLength(0).ofMaxLength(4));
    Arbitrary<String> quads =
        octet.list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join(".", parts));
    Arbitrary<String> noise =
        Arbitraries.strings().withChars("0123456789.:abcdef%[] x-/").ofMaxLength(20);
    return Arbitraries.oneOf(quads, quads, noise);
  }

  @Test
  void readsDottedQuadsWithoutLeadingZeros() {
    assertThat(Addresses.parse("192.0.2.255").map(Addresses::format)).contains("192.0.2.255");
    assertThat(Addresses.parse("0.0.0.0").map(Addresses::format)).contains("0.0.0.0");
    assertThat(Addresses.parse("192.0.2.256")).isEmpty();
    assertThat(Addresses.parse("192.0.2")).isEmpty();
    assertThat(Addresses.parse("192.0.2.1.")).isEmpty();
    assertThat(Addresses.parse("gateway")).isEmpty();
  }

  @Test
  void readsOtherSpellingsLikeNetUtil() {
    assertThat(Addresses.parse("2001:DB8:0::1").map(Addresses::format)).contains("2001:db8::1");
    assertThat(Addresses.parse("::ffff:192.0.2.1")).isEqualTo(netty("::ffff:192.0.2.1"));
    assertThat(Addresses.parse("fe80::1%eth0")).isEmpty();
    assertThat(Addresses.parse("192.0.02.1")).isEqualTo(netty("192.0.02.1"));
  }

  /** The edges of what NetUtil accepted, pinned; {@code -} for none, else the formatted address. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // IPv4: decimal parts of 1-3 digits, leading zeros read as decimal, never octal.
        "010.0.0.1               | 10.0.0.1",
        "000.000.000.000         | 0.0.0.0",
        "0300.0.0.1              | -",
        "1.2.3                   | -",
        "[192.0.2.1]             | -",
        "localhost               | -",
        // IPv4-mapped and IPv4-compatible forms come back as the IPv4 address.
        "::ffff:192.0.2.1        | 192.0.2.1",
        "::FFFF:c000:201         | 192.0.2.1",
        "::192.0.2.1             | 192.0.2.1",
        "0:0:0:0:0:0:192.0.2.1   | 192.0.2.1",
        "::0:ffff:010.0.0.1      | 10.0.0.1",
        // A dotted quad only after zeros or ::ffff.
        "64:ff9b::192.0.2.1      | -",
        "::ffff:0:192.0.2.1      | -",
        "1:2:3:4:5:6:192.0.2.1   | -",
        // Zone ids, brackets, and the shape of the words.
        "fe80::1%1               | -",
        "[2001:db8::1]           | 2001:db8::1",
        "[[::1]]                 | -",
        "[::1                    | -",
        "::                      | ::",
        ":::                     | -",
        "1::2::3                 | -",
        "2001:db8::00001         | -",
        "1:2:3:4:5:6:7::         | 1:2:3:4:5:6:7:0",
        "1::2:3:4:5:6:7:8        | -",
        "2001:0DB8:0:0:0:0:0:001 | 2001:db8::1",
        // Printing (RFC 5952): a lone zero word stays, the first of two equal runs is compressed.
        "1:0:1:1:1:1:1:1         | 1:0:1:1:1:1:1:1",
        "1:0:0:1:0:0:1:1         | 1::1:0:0:1:1",
        "1:0:0:1:0:0:0:1         | 1:0:0:1::1",
      })
  void pinsTheEdgesOfWhatNetUtilAccepted(String literal, String expected) {
    assertThat(Addresses.parse(literal).map(Addresses::format).orElse("-")).isEqualTo(expected);
    assertThat(Addresses.parse(literal)).isEqualTo(netty(literal));
  }

  @Test
  void rejectsDigitsOfOtherScripts() {
    assertThat(Addresses.parse("\u0661\u0662\u0663.0.0.1")).isEmpty();
    assertThat(Addresses.parse("2001:db8::\uFF11")).isEmpty();
  }

  @Test
  void printsMappedAndScopedIpv6AddressesWithoutDotsOrZone() throws Exception {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) 192, 0, 2, 1};
    byte[] linkLocal = {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    assertThat(Addresses.format(Inet6Address.getByAddress(null, mapped, -1)))
        .isEqualTo("::ffff:c000:201");
    assertThat(Addresses.format(Inet6Address.getByAddress(null, linkLocal, 2)))
        .isEqualTo("fe80::1");
  }
}
