package dev.portfwd.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.BackendPool;
import dev.portfwd.model.BackendSpec;
import dev.portfwd.model.Balance;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.HealthCheck;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import dev.portfwd.model.ProxyProtocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Properties of the table language as a whole: printing and reading agree, and nothing crashes. */
class TableRoundTripProperties {

  @Property(tries = 300)
  void anyPrintedTableReadsBackToTheSameForwards(@ForAll("forwardLists") List<Forward> forwards) {
    List<Forward> numbered = new ArrayList<>();
    for (int i = 0; i < forwards.size(); i++) {
      numbered.add(forwards.get(i).withLine(i + 1));
    }
    String text = TablePrinter.print(new ForwardTable("generated", numbered));

    ParseResult result = TableParser.parse("generated", text);

    // Clashes between generated lines are legitimate errors; the forwards must still read back.
    assertThat(result.diagnostics())
        .allSatisfy(d -> assertThat(d.message()).doesNotContain("expected"));
    assertThat(result.table().forwards()).isEqualTo(numbered);
  }

  @Property(tries = 500)
  void arbitraryBytesYieldOnlyDiagnostics(@ForAll @Size(max = 400) byte[] bytes) {
    assertCompletesWithDiagnosticsOnly(TableReader.decode(bytes));
  }

  @Property(tries = 1000)
  void arbitraryTableLikeTextYieldsOnlyDiagnostics(@ForAll("tableLikeText") String text) {
    assertCompletesWithDiagnosticsOnly(text);
  }

  private static void assertCompletesWithDiagnosticsOnly(String text) {
    long start = System.nanoTime();
    ParseResult result = TableParser.parse("fuzz", text);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(result.diagnostics())
        .allSatisfy(
            d -> {
              assertThat(d.line()).isPositive();
              assertThat(d.column()).isPositive();
            });
    if (!result.hasErrors()) {
      // Whatever parsed cleanly must print and read back to the same forwards.
      ParseResult again = TableParser.parse("again", TablePrinter.print(result.table()));
      assertThat(again.table().forwards())
          .extracting(TablePrinter::line)
          .isEqualTo(result.table().forwards().stream().map(TablePrinter::line).toList());
    }
  }

  @Provide
  Arbitrary<String> tableLikeText() {
    Arbitrary<String> pieces =
        Arbitraries.of(
            "80",
            "8000-8009",
            "9:5",
            "0",
            "65536",
            " ",
            "\t",
            "\n",
            "\r\n",
            "#",
            "tcp",
            "udp",
            "tcp,udp",
            "RANGE",
            "from=",
            "192.0.2.0/24",
            "masquerade=no",
            "proxy-protocol=v2",
            "[",
            "]",
            ":",
            "-",
            "192.0.2.2",
            "2001:db8::1",
            "[2001:db8::1]:443",
            "198.51.100.7:",
            "=",
            ",",
            "é",
            "\u0000",
            "x");
    return pieces.list().ofMaxSize(40).map(list -> String.join("", list));
  }

  @Provide
  Arbitrary<List<Forward>> forwardLists() {
    return forwards().list().ofMaxSize(8);
  }

  private Arbitrary<Forward> forwards() {
    Arbitrary<InetAddress> v4 =
        Arbitraries.integers().between(1, 254).map(host -> address("192.0.2." + host));
    Arbitrary<InetAddress> v6 =
        Arbitraries.integers()
            .between(1, 0xffff)
            .map(host -> address("2001:db8::" + Integer.toHexString(host)));
    Arbitrary<InetAddress> backends = Arbitraries.oneOf(v4, v6);
    Arbitrary<Optional<InetAddress>> externals =
        Arbitraries.oneOf(
            Arbitraries.just(Optional.empty()),
            Arbitraries.integers()
                .between(1, 254)
                .map(h -> Optional.of(address("198.51.100." + h))),
            Arbitraries.integers()
                .between(1, 0xff)
                .map(h -> Optional.of(address("2001:db8:1::" + Integer.toHexString(h)))));
    Arbitrary<PortRange> ranges =
        Arbitraries.integers()
            .between(1, 60000)
            .flatMap(
                first ->
                    Arbitraries.integers()
                        .between(0, 20)
                        .map(len -> new PortRange(first, first + len)));
    Arbitrary<Integer> offsets = Arbitraries.integers().between(-10, 5000);
    Arbitrary<Set<Protocol>> protocols =
        Arbitraries.of(
            Set.of(Protocol.TCP), Set.of(Protocol.UDP), Set.of(Protocol.TCP, Protocol.UDP));
    Arbitrary<List<Cidr>> sources =
        Arbitraries.integers()
            .between(0, 32)
            .map(bits -> new Cidr(address("203.0.113.77"), bits))
            .list()
            .ofMaxSize(3);
    Arbitrary<String> descriptions =
        Arbitraries.strings()
            .withChars("abcXYZ019 #;\"'{}\\é☕$`")
            .ofMaxLength(30)
            .map(String::strip);
    return Combinators.combine(
            externals,
            ranges,
            backends,
            offsets,
            protocols,
            sources,
            Arbitraries.of(true, false),
            Arbitraries.of(ProxyProtocol.values()))
        .as(
            (external, range, backend, offset, protocol, from, masquerade, proxy) -> {
              int shift =
                  range.last() + offset > PortRange.MAX_PORT || range.first() + offset < 1
                      ? 0
                      : offset;
              return new Forward(
                  1,
                  external,
                  range,
                  backend,
                  range.shift(shift),
                  protocol,
                  from,
                  masquerade,
                  proxy,
                  "");
            })
        .flatMap(forward -> pools(forward.backend()).map(pool -> withPool(forward, pool)))
        .flatMap(
            forward ->
                descriptions.map(
                    d ->
                        new Forward(
                            forward.line(),
                            forward.externalAddress(),
                            forward.externalPorts(),
                            forward.pool(),
                            forward.backendPorts(),
                            forward.protocols(),
                            forward.allowedSources(),
                            forward.masquerade(),
                            forward.proxyProtocol(),
                            d,
                            forward.snat())));
  }

  /**
   * The backend alone, or with more backends: another address of its family, a host name, a balance
   * and a check, each maybe.
   */
  private static Arbitrary<BackendPool> pools(InetAddress first) {
    Arbitrary<Optional<BackendSpec>> another =
        Arbitraries.integers()
            .between(1, 250)
            .map(
                n -> {
                  byte[] bytes = first.getAddress().clone();
                  bytes[bytes.length - 1] =
                      (byte) ((bytes[bytes.length - 1] & 0xff) == n ? n + 1 : n);
                  try {
                    return BackendSpec.of(InetAddress.getByAddress(bytes));
                  } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                  }
                })
            .optional();
    Arbitrary<Optional<BackendSpec>> name =
        Arbitraries.of("game.test", "mc.home.test", "b-1.test").map(BackendSpec::name).optional();
    Arbitrary<Optional<Balance>> balance = Arbitraries.of(Balance.class).optional();
    Arbitrary<Optional<HealthCheck>> check =
        Arbitraries.of(HealthCheck.NONE, HealthCheck.TCP, HealthCheck.tcp(8080)).optional();
    return Combinators.combine(another, name, balance, check)
        .as(
            (a, n, b, c) -> {
              List<BackendSpec> specs = new ArrayList<>();
              specs.add(BackendSpec.of(first));
              a.ifPresent(specs::add);
              n.ifPresent(specs::add);
              // balance= on one address draws a warning, not an error: fine, but keep it rare.
              return new BackendPool(specs, specs.size() > 1 ? b : Optional.empty(), c, List.of());
            });
  }

  private static Forward withPool(Forward forward, BackendPool pool) {
    return new Forward(
        forward.line(),
        forward.externalAddress(),
        forward.externalPorts(),
        pool,
        forward.backendPorts(),
        forward.protocols(),
        forward.allowedSources(),
        forward.masquerade(),
        forward.proxyProtocol(),
        forward.description(),
        forward.snat());
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
