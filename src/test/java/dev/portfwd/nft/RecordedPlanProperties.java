package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableParser;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A plan taken from the record of the last apply (only the differing forwards encoded) does to the
 * kernel what a plan from a full listing does, for any pair of tables.
 */
class RecordedPlanProperties {

  @Property(tries = 300)
  void planFromTheRecordReachesTheSameKernelAsPlanFromTheListing(
      @ForAll("tables") String before, @ForAll("tables") String after) throws BackendException {
    Optional<DesiredState> first = compile(before);
    Optional<DesiredState> second = compile(after);
    Assume.that(first.isPresent() && second.isPresent());
    FakeNftKernel kernel = new FakeNftKernel();
    NftBackend backend = new NftBackend(kernel);
    Plan applied = backend.plan(first.get());
    backend.apply(applied);

    Plan fromRecord = backend.plan(second.get(), Optional.of(applied.desired()));
    Plan fromListing = backend.plan(second.get());
    assertThat(fromRecord.changes()).isEqualTo(fromListing.changes());
    assertThat(fromRecord.isEmpty()).isEqualTo(fromListing.isEmpty());

    backend.apply(fromRecord);
    assertThat(backend.status().stream().map(LiveForward::forward).toList())
        .isEqualTo(NftBackend.kernelFormOf(second.get()).forwards());
    assertThat(backend.plan(second.get()).isEmpty()).isTrue();
    assertThat(backend.plan(second.get(), Optional.of(fromRecord.desired())).isEmpty()).isTrue();
  }

  private static Optional<DesiredState> compile(String text) {
    ParseResult result = TableParser.parse("t", text);
    if (result.hasErrors()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Compiler.compile(result.table()));
    } catch (CompileException e) {
      return Optional.empty();
    }
  }

  /**
   * Lines on a few fixed port slots, each present or not, with backends, options and descriptions
   * from small pools: two tables share forwards, change some, and are always valid.
   */
  @Provide
  Arbitrary<String> tables() {
    Arbitrary<String> v4 = Arbitraries.of("192.0.2.2", "192.0.2.3");
    Arbitrary<String> v6 = Arbitraries.of("2001:db8:2::2", "2001:db8:2::3");
    Arbitrary<String> options4 =
        Arbitraries.of(
            "",
            "tcp",
            "udp",
            "tcp masquerade=no",
            "from=203.0.113.0/24",
            "udp from=203.0.113.0/25,198.51.100.0/24",
            "masquerade=no");
    Arbitrary<String> options6 =
        Arbitraries.of("", "udp", "masquerade=no", "tcp from=2001:db8:9::/48");
    Arbitrary<String> descriptions = Arbitraries.of("", "# web", "# game", "# web, moved");
    List<Arbitrary<String>> slots =
        List.of(
            slot("1000", v4, Arbitraries.of("", "80"), options4, descriptions),
            slot("1001", v4, Arbitraries.of("", "80"), options4, descriptions),
            slot("1002", v4, Arbitraries.of("", "1000"), options4, descriptions),
            slot("1003-1005", v4, Arbitraries.of("", "2003-2005"), options4, descriptions),
            slot("1010-1012", v4, Arbitraries.of(""), options4, descriptions),
            slot("198.51.100.7:1000", v4, Arbitraries.of("", "80"), options4, descriptions),
            slot("1020", v6, Arbitraries.of("", "80"), options6, descriptions),
            slot("[2001:db8:1::1]:1000", v6, Arbitraries.of("", "443"), options6, descriptions));
    return Combinators.combine(slots).as(lines -> String.join("", lines));
  }

  private static Arbitrary<String> slot(
      String ports,
      Arbitrary<String> backends,
      Arbitrary<String> backendPorts,
      Arbitrary<String> options,
      Arbitrary<String> descriptions) {
    Arbitrary<String> line =
        Combinators.combine(backends, backendPorts, options, descriptions)
            .as(
                (b, bp, o, d) ->
                    String.join(" ", List.of(ports, b, bp, o, d)).replaceAll(" +", " ").strip()
                        + "\n");
    return Arbitraries.oneOf(line, line, Arbitraries.just(""));
  }
}
