package dev.portfwd.nft;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.SnatBlock;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code snat4}/{@code snat6} maps: backend tuple (address, protocol, ports) to the source
 * address of {@code snat=} forwards. Postrouting looks a DNATed connection up here before the
 * masquerade set, so a forward with {@code snat=} is translated to that address, which an HA pair's
 * standby gateway also owns once it takes over; masquerade would pick the machine's own address.
 */
final class SnatMap {

  private SnatMap() {}

  /** Adds the map elements of {@code forwards}' {@code snat=} blocks to {@code sets}. */
  static void encodeInto(List<CompiledForward> forwards, Map<String, List<NftElement>> sets) {
    for (IpFamily family : IpFamily.values()) {
      sets.putIfAbsent(MapSpec.snatMap(family), new ArrayList<>());
    }
    for (SnatBlock b : SnatBlock.merge(forwards)) {
      String map = MapSpec.snatMap(b.family());
      sets.get(map)
          .add(
              new NftElement(
                  map,
                  List.of(
                      Addresses.format(b.backend()),
                      b.protocol().keyword(),
                      NftText.ports(b.ports())),
                  List.of(Addresses.format(b.source())),
                  ""));
    }
  }

  /** The blocks the kernel's snat maps hold. */
  static List<SnatBlock> decode(Map<String, List<ElementCodec.Counted>> sets) {
    List<SnatBlock> blocks = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      for (ElementCodec.Counted counted : sets.getOrDefault(MapSpec.snatMap(family), List.of())) {
        List<String> key = counted.element().key();
        blocks.add(
            new SnatBlock(
                family,
                NftText.parseAddress(key.get(0)),
                Protocol.fromKeyword(key.get(1)).orElseThrow(),
                NftText.parsePorts(key.get(2)),
                NftText.parseAddress(counted.element().value().get(0))));
      }
    }
    return blocks;
  }
}
