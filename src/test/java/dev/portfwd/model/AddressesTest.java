package dev.portfwd.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

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
    Arbitrary<String> octet = Arbitraries.oneOf(Arbitraries.integers().between(0, 300).map(String::valueOf),
        Arbitraries.strings().withChars("0123456789").ofMinLength(0).ofMaxLength(4));
    Arbitrary<String> quads = octet.list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join(".", parts));
    Arbitrary<String> noise = Arbitraries.strings().withChars("0123456789.:abcdef%[] x-/").ofMaxLength(20);
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
  void leavesOtherSpellingsToNetUtil() {
    assertThat(Addresses.parse("2001:DB8:0::1").map(Addresses::format)).contains("2001:db8::1");
    assertThat(Addresses.parse("::ffff:192.0.2.1")).isEqualTo(netty("::ffff:192.0.2.1"));
    assertThat(Addresses.parse("fe80::1%eth0")).isEmpty();
    assertThat(Addresses.parse("192.0.02.1")).isEqualTo(netty("192.0.02.1"));
  }
}
