package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.testing.Tables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ElementCodecTest {

  /** Random tables of shifted, same-port and single forwards decode to exactly what was encoded. */
  @Property(tries = 200)
  void decodingTheEncodedElementsGivesTheForwardsBack(
      @ForAll @IntRange(min = 1, max = 40) int count, @ForAll long seed) {
    Random random = new Random(seed);
    StringBuilder table = new StringBuilder();
    int port = 1000;
    for (int i = 0; i < count; i++) {
      int size = 1 + random.nextInt(4);
      int offset = random.nextBoolean() ? 0 : random.nextInt(5000);
      String ext = size == 1 ? Integer.toString(port) : port + "-" + (port + size - 1);
      String to =
          size == 1
              ? Integer.toString(port + offset)
              : (port + offset) + "-" + (port + offset + size - 1);
      table
          .append(random.nextBoolean() ? "198.51.100.7:" : "")
          .append(ext)
          .append(" 192.0.2.")
          .append(2 + random.nextInt(3))
          .append(' ')
          .append(to)
          .append(random.nextBoolean() ? " tcp" : "")
          .append(random.nextBoolean() ? " from=203.0.113." + random.nextInt(4) * 64 + "/26" : "")
          .append(random.nextInt(4) == 0 ? " masquerade=no" : "")
          .append(random.nextBoolean() ? " # d" + random.nextInt(3) : "")
          .append('\n');
      port += size + random.nextInt(2);
    }
    DesiredState desired = NftBackend.kernelFormOf(Tables.compile(table.toString()));
    Map<String, List<NftElement>> sets = ElementCodec.encode(desired.forwards());
    Map<String, List<ElementCodec.Counted>> read = new LinkedHashMap<>();
    sets.forEach(
        (name, elements) -> {
          List<ElementCodec.Counted> counted = new ArrayList<>();
          elements.forEach(e -> counted.add(new ElementCodec.Counted(e, 1, 10)));
          read.put(name, counted);
        });
    List<LiveForward> decoded = ElementCodec.decode(read);
    assertThat(decoded)
        .extracting(LiveForward::forward)
        .containsExactlyElementsOf(desired.forwards());
    long elementCount =
        sets.entrySet().stream()
            .filter(e -> MapSpec.byName(e.getKey()) != null)
            .mapToLong(e -> e.getValue().size())
            .sum();
    assertThat(decoded.stream().mapToLong(LiveForward::packets).sum()).isEqualTo(elementCount);
    for (LiveForward counters : decoded) {
      CompiledForward f = counters.forward();
      long elements =
          (long) Math.max(1, f.allowedSources().size())
              * (f.portOffset() == 0 && !f.externalPorts().isSinglePort()
                  ? 1
                  : f.externalPorts().size());
      assertThat(counters.packets()).as(f.describe()).isEqualTo(elements);
    }
  }

  /** Without /etc/protocols (netbase), nft lists protocols by number: 6 and 17. */
  @Test
  void decodesProtocolsListedByNumber() {
    DesiredState desired =
        NftBackend.kernelFormOf(
            Tables.compile(
                "8080 192.0.2.2 80 # web\n"
                    + "8000-8009 192.0.2.3 9000-9009 udp from=203.0.113.0/24 masquerade=no\n"));
    Map<String, List<ElementCodec.Counted>> read = new LinkedHashMap<>();
    ElementCodec.encode(desired.forwards())
        .forEach(
            (name, elements) ->
                read.put(
                    name,
                    elements.stream()
                        .map(
                            e ->
                                new ElementCodec.Counted(
                                    new NftElement(
                                        e.set(),
                                        e.key().stream()
                                            .map(k -> k.replace("tcp", "6").replace("udp", "17"))
                                            .toList(),
                                        e.value(),
                                        e.comment()),
                                    1,
                                    10))
                        .toList()));

    assertThat(ElementCodec.decode(read))
        .extracting(LiveForward::forward)
        .containsExactlyElementsOf(desired.forwards());
  }
}
