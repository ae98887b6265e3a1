package dev.portfwd.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class BackendBlockTest {

  private static final InetAddress[] BACKENDS = {address(2), address(3)};

  private static InetAddress address(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) last});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Port by port: the union of each group's ranges, groups in first appearance, blocks by port. */
  private static List<BackendBlock> reference(
      List<CompiledForward> forwards, boolean masqueradingOnly) {
    Map<List<Object>, boolean[]> ports = new LinkedHashMap<>();
    for (CompiledForward f : forwards) {
      if (f.masquerade() || !masqueradingOnly) {
        boolean[] used =
            ports.computeIfAbsent(
                List.of(f.family(), f.backend(), f.protocol()), k -> new boolean[65_537]);
        for (int p = f.backendPorts().first(); p <= f.backendPorts().last(); p++) {
          used[p] = true;
        }
      }
    }
    List<BackendBlock> blocks = new ArrayList<>();
    ports.forEach(
        (k, used) -> {
          for (int p = 1; p <= 65_535; p++) {
            if (used[p]) {
              int from = p;
              while (used[p + 1]) {
                p++;
              }
              blocks.add(
                  new BackendBlock(
                      (IpFamily) k.get(0),
                      (InetAddress) k.get(1),
                      (Protocol) k.get(2),
                      new PortRange(from, p)));
            }
          }
        });
    return blocks;
  }

  @Test
  void masqueradesAForwardThatAnotherMasqueradedOnlyBecauseOfAThirdOverlaps() {
    // 1028-1030 masquerades; 1030-1032 (masquerade=no) shares port 1030, so the kernel
    // masquerades its whole block, which reaches 1032-1035 (masquerade=no) at port 1032.
    List<CompiledForward> forwards =
        List.of(forward(1028, 1030, true), forward(1030, 1032, false), forward(1032, 1035, false));

    assertThat(BackendBlock.effective(forwards))
        .extracting(CompiledForward::masquerade)
        .containsExactly(true, true, true);
    assertThat(
            BackendBlock.effective(List.of(forward(1028, 1030, true), forward(1031, 1032, false))))
        .extracting(CompiledForward::masquerade)
        .containsExactly(true, false);
  }

  private static CompiledForward forward(int first, int last, boolean masquerade) {
    return new CompiledForward(
        IpFamily.IPV4,
        Optional.empty(),
        Protocol.TCP,
        new PortRange(first, last),
        BACKENDS[0],
        new PortRange(first, last),
        List.of(),
        masquerade,
        "",
        Optional.empty(),
        Optional.empty());
  }

  @Property(tries = 300)
  void mergesIntoTheUnionOfEachBackendsPorts(@ForAll("forwards") List<CompiledForward> forwards) {
    assertThat(BackendBlock.merge(forwards, true)).isEqualTo(reference(forwards, true));
    assertThat(BackendBlock.merge(forwards, false)).isEqualTo(reference(forwards, false));
  }

  @Provide
  Arbitrary<List<CompiledForward>> forwards() {
    Arbitrary<CompiledForward> forward =
        Combinators.combine(
                Arbitraries.integers().between(0, 1), Arbitraries.of(Protocol.values()),
                Arbitraries.integers().between(1, 120), Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 3), Arbitraries.of(true, false))
            .as(
                (backend, protocol, first, extra, shift, masquerade) ->
                    new CompiledForward(
                        IpFamily.IPV4,
                        Optional.empty(),
                        protocol,
                        new PortRange(first + 1000, first + 1000 + extra),
                        BACKENDS[backend],
                        new PortRange(first + shift, first + shift + extra),
                        List.of(),
                        masquerade,
                        ""));
    return forward.list().ofMinSize(1).ofMaxSize(40);
  }
}
