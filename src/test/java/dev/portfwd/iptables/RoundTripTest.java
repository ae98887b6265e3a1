package dev.portfwd.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever forwards are rendered into restore input, applied to the fake kernel and read back with
 * iptables-save, come back equal (in the form iptables holds them), and planning them again changes
 * nothing.
 */
class RoundTripTest {

  /** {@code flags}: bit 0 IPv6, bit 1 a named external address, bit 2 UDP. */
  record Shape(
      int flags,
      int size,
      int shift,
      int backend,
      int sources,
      boolean masquerade,
      String description) {
    boolean ipv6() {
      return (flags & 1) != 0;
    }

    boolean named() {
      return (flags & 2) != 0;
    }

    boolean udp() {
      return (flags & 4) != 0;
    }
  }

  @Provide
  Arbitrary<List<Shape>> shapes() {
    Arbitrary<Shape> shape =
        Combinators.combine(
                Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(1, 4),
                Arbitraries.of(0, 0, 1000),
                Arbitraries.integers().between(2, 4),
                Arbitraries.integers().between(0, 2),
                Arbitraries.of(true, true, false),
                Arbitraries.strings().ofMaxLength(300))
            .as(Shape::new);
    return shape.list().ofMaxSize(12);
  }

  @Property(tries = 200)
  void renderedForwardsReadBackEqual(@ForAll("shapes") List<Shape> shapes) throws Exception {
    List<CompiledForward> forwards = new ArrayList<>();
    int port = 1000;
    for (Shape s : shapes) {
      IpFamily family = s.ipv6() ? IpFamily.IPV6 : IpFamily.IPV4;
      PortRange external = new PortRange(port, port + s.size() - 1);
      port += 10; // key ranges never overlap, as the validator guarantees
      Optional<InetAddress> address =
          s.named()
              ? Optional.of(ip(s.ipv6() ? "2001:db8:1::7" : "198.51.100.7"))
              : Optional.empty();
      List<Cidr> sources = new ArrayList<>();
      for (int i = 0; i < s.sources(); i++) {
        sources.add(
            new Cidr(
                ip(s.ipv6() ? "2001:db8:" + (10 + i) + "::" : "203.0." + (113 - i) + ".0"),
                s.ipv6() ? 48 : 24));
      }
      forwards.add(
          new CompiledForward(
              family,
              address,
              s.udp() ? Protocol.UDP : Protocol.TCP,
              external,
              ip(s.ipv6() ? "2001:db8:2::" + s.backend() : "192.0.2." + s.backend()),
              external.shift(s.shift()),
              sources,
              s.masquerade(),
              s.description()));
    }
    DesiredState desired = new DesiredState(forwards);
    IptablesBackend backend = new IptablesBackend(new FakeIptablesKernel());

    backend.apply(backend.plan(desired));

    assertThat(backend.status())
        .extracting(LiveForward::forward)
        .containsExactlyElementsOf(IptablesBackend.kernelFormOf(desired).forwards());
    assertThat(backend.plan(desired).isEmpty()).isTrue();
  }

  private static InetAddress ip(String text) {
    return Addresses.parse(text).orElseThrow();
  }
}
