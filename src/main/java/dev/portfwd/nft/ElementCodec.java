package dev.portfwd.nft;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.Canonical;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.SnatBlock;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Translates forwards to the elements of portfwd's sets and maps, and elements read from the kernel
 * back to forwards. The two directions are inverse on canonical forwards (tested), which is what
 * lets {@code plan} diff the kernel against a table.
 */
final class ElementCodec {

  private ElementCodec() {}

  /**
   * Every element {@code forwards} need, grouped by set name; every set of the table is present.
   */
  static Map<String, List<NftElement>> encode(List<CompiledForward> forwards) {
    Map<String, List<NftElement>> sets = encodeEach(forwards);
    masquerade(forwards).forEach((set, elements) -> sets.get(set).addAll(elements));
    return sets;
  }

  /**
   * The elements that belong to single forwards (DNAT and refuse), without the masquerade sets,
   * which depend on all forwards together; every set of the table is present.
   */
  static Map<String, List<NftElement>> encodeEach(List<CompiledForward> forwards) {
    Map<String, List<NftElement>> sets = new LinkedHashMap<>();
    for (IpFamily family : IpFamily.values()) {
      for (MapSpec spec : MapSpec.all(family)) {
        sets.put(spec.name(), new ArrayList<>());
      }
      sets.put(MapSpec.refuseSet(family, true), new ArrayList<>());
      sets.put(MapSpec.refuseSet(family, false), new ArrayList<>());
      sets.put(MapSpec.masqueradeSet(family), new ArrayList<>());
      sets.put(MapSpec.snatMap(family), new ArrayList<>());
    }
    for (String map : SpreadMaps.names()) {
      sets.put(map, new ArrayList<>());
    }
    // Most forwards share a few backends: each address is spelled once, not once per forward.
    Map<InetAddress, String> spelled = new HashMap<>();
    for (CompiledForward forward : forwards) {
      if (forward.spread().isPresent()) {
        SpreadMaps.encode(forward, sets);
      } else {
        encodeDnat(forward, sets, spelled.computeIfAbsent(forward.backend(), Addresses::format));
      }
      if (forward.isRestricted()) {
        List<String> key = new ArrayList<>();
        forward.externalAddress().ifPresent(a -> key.add(Addresses.format(a)));
        key.add(forward.protocol().keyword());
        key.add(NftText.ports(forward.externalPorts()));
        String set = MapSpec.refuseSet(forward.family(), forward.externalAddress().isPresent());
        sets.get(set).add(new NftElement(set, key, List.of(), ""));
      }
    }
    return sets;
  }

  /**
   * The elements of the masquerade sets and snat maps of both families for {@code forwards}, by set
   * name.
   */
  static Map<String, List<NftElement>> masquerade(List<CompiledForward> forwards) {
    Map<String, List<NftElement>> sets = new LinkedHashMap<>();
    for (IpFamily family : IpFamily.values()) {
      sets.put(MapSpec.masqueradeSet(family), new ArrayList<>());
    }
    for (Masquerade.Target target : Masquerade.targets(perBackend(forwards))) {
      String set = MapSpec.masqueradeSet(target.family());
      sets.get(set)
          .add(
              new NftElement(
                  set,
                  List.of(
                      Addresses.format(target.backend()),
                      target.protocol().keyword(),
                      NftText.ports(target.ports())),
                  List.of(),
                  ""));
    }
    SnatMap.encodeInto(perBackend(forwards), sets);
    return sets;
  }

  /** {@code forwards} with each spread forward as one forward per backend (masquerade tuples). */
  static List<CompiledForward> perBackend(List<CompiledForward> forwards) {
    if (forwards.stream().noneMatch(f -> f.spread().isPresent())) {
      return forwards;
    }
    List<CompiledForward> each = new ArrayList<>(forwards.size() + 8);
    forwards.forEach(f -> each.addAll(f.eachBackend()));
    return each;
  }

  static MapSpec specOf(CompiledForward forward) {
    boolean range = !forward.externalPorts().isSinglePort() && forward.portOffset() == 0;
    return new MapSpec(
        forward.family(), forward.externalAddress().isPresent(), forward.isRestricted(), range);
  }

  private static void encodeDnat(
      CompiledForward forward, Map<String, List<NftElement>> sets, String backend) {
    MapSpec spec = specOf(forward);
    List<NftElement> out = sets.get(spec.name());
    if (!spec.named() && !spec.restricted() && !spec.range()) {
      // The common shape, protocol . port : backend . port, with no list to copy.
      String protocol = forward.protocol().keyword();
      for (int port = forward.externalPorts().first();
          port <= forward.externalPorts().last();
          port++) {
        out.add(
            new NftElement(
                spec.name(),
                List.of(protocol, Integer.toString(port)),
                List.of(backend, Integer.toString(port + forward.portOffset())),
                forward.description()));
      }
      return;
    }
    List<Optional<Cidr>> sources = List.of(Optional.empty());
    if (forward.isRestricted()) {
      sources = new ArrayList<>();
      for (Cidr source : forward.allowedSources()) {
        sources.add(Optional.of(source));
      }
    }
    for (Optional<Cidr> source : sources) {
      List<String> prefix = new ArrayList<>();
      forward.externalAddress().ifPresent(a -> prefix.add(Addresses.format(a)));
      source.ifPresent(c -> prefix.add(NftText.cidr(c)));
      prefix.add(forward.protocol().keyword());
      if (spec.range()) {
        List<String> key = new ArrayList<>(prefix);
        key.add(NftText.ports(forward.externalPorts()));
        out.add(new NftElement(spec.name(), key, List.of(backend), forward.description()));
      } else {
        // Shifted ranges: one element per port, the kernel has no offset mapping.
        for (int port = forward.externalPorts().first();
            port <= forward.externalPorts().last();
            port++) {
          List<String> key = new ArrayList<>(prefix);
          key.add(Integer.toString(port));
          out.add(
              new NftElement(
                  spec.name(),
                  key,
                  List.of(backend, Integer.toString(port + forward.portOffset())),
                  forward.description()));
        }
      }
    }
  }

  /** An element read from the kernel with its counter. */
  record Counted(NftElement element, long packets, long bytes) {}

  /**
   * The canonical forwards the DNAT map elements describe, with their counters summed over every
   * element of a forward. Elements of sets portfwd does not know are ignored.
   */
  static List<LiveForward> decode(Map<String, List<Counted>> sets) {
    List<Masquerade.Target> masquerade = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      for (Counted counted : sets.getOrDefault(MapSpec.masqueradeSet(family), List.of())) {
        List<String> key = counted.element().key();
        masquerade.add(
            new Masquerade.Target(
                family,
                NftText.parseAddress(key.get(0)),
                Protocol.fromKernel(key.get(1)).orElseThrow(),
                NftText.parsePorts(key.get(2))));
      }
    }
    List<SnatBlock> snat = SnatMap.decode(sets);
    // Elements of one restricted forward differ only in the source block: join them first.
    Map<List<Object>, Fragment> fragments = new LinkedHashMap<>();
    SpreadMaps.Read spread = SpreadMaps.read(sets);
    for (Map.Entry<String, List<Counted>> entry : sets.entrySet()) {
      MapSpec spec = MapSpec.byName(entry.getKey());
      if (spec == null) {
        continue;
      }
      for (Counted counted : entry.getValue()) {
        Fragment piece = fragment(spec, counted, masquerade, snat);
        fragments.merge(piece.shape(), piece, Fragment::join);
      }
    }
    List<CompiledForward> pieces = fragments.values().stream().map(Fragment::forward).toList();
    List<CompiledForward> canonical = Canonical.normalize(pieces);
    // Sum the counters of the pieces each canonical forward was joined from.
    Map<List<Object>, TreeMap<Integer, int[]>> index = new HashMap<>();
    long[][] totals = new long[canonical.size()][2];
    for (int i = 0; i < canonical.size(); i++) {
      CompiledForward f = canonical.get(i);
      index
          .computeIfAbsent(place(f), k -> new TreeMap<>())
          .put(f.externalPorts().first(), new int[] {i});
    }
    for (Fragment piece : fragments.values()) {
      CompiledForward f = piece.forward();
      Map.Entry<Integer, int[]> owner = index.get(place(f)).floorEntry(f.externalPorts().first());
      totals[owner.getValue()[0]][0] += piece.packets;
      totals[owner.getValue()[0]][1] += piece.bytes;
    }
    List<LiveForward> result = new ArrayList<>();
    for (int i = 0; i < canonical.size(); i++) {
      result.add(new LiveForward(canonical.get(i), totals[i][0], totals[i][1], -1));
    }
    if (!spread.isEmpty()) {
      result.addAll(
          SpreadMaps.join(
              spread,
              (family, backend, protocol, port) ->
                  masquerade.stream()
                      .anyMatch(t -> t.covers(family, backend, protocol, PortRange.of(port))),
              snat));
      result.sort((a, b) -> CompiledForward.ORDER.compare(a.forward(), b.forward()));
    }
    return result;
  }

  private static List<Object> place(CompiledForward f) {
    return List.of(f.family(), f.externalAddress(), f.protocol(), f.allowedSources());
  }

  private static Fragment fragment(
      MapSpec spec, Counted counted, List<Masquerade.Target> masquerade, List<SnatBlock> snat) {
    NftElement element = counted.element();
    List<String> key = element.key();
    int i = 0;
    Optional<InetAddress> external =
        spec.named() ? Optional.of(NftText.parseAddress(key.get(i++))) : Optional.empty();
    List<Cidr> sources = spec.restricted() ? List.of(NftText.parseCidr(key.get(i++))) : List.of();
    Protocol protocol =
        Protocol.fromKernel(key.get(i++))
            .orElseThrow(() -> new IllegalArgumentException("unknown protocol in " + element));
    PortRange ports = NftText.parsePorts(key.get(i));
    InetAddress backend = NftText.parseAddress(element.value().get(0));
    PortRange backendPorts =
        spec.range() ? ports : PortRange.of(Integer.parseInt(element.value().get(1)));
    Optional<InetAddress> source =
        SnatBlock.sourceFor(snat, spec.family(), backend, protocol, backendPorts);
    boolean masq =
        source.isPresent()
            || masquerade.stream()
                .anyMatch(t -> t.covers(spec.family(), backend, protocol, backendPorts));
    CompiledForward forward =
        new CompiledForward(
            spec.family(),
            external,
            protocol,
            ports,
            backend,
            backendPorts,
            sources,
            masq,
            element.comment(),
            source,
            Optional.empty());
    return new Fragment(forward, counted.packets(), counted.bytes());
  }

  /** One element's forward; restricted ones join their source blocks. */
  private static final class Fragment {
    private CompiledForward forward;
    private long packets;
    private long bytes;

    Fragment(CompiledForward forward, long packets, long bytes) {
      this.forward = forward;
      this.packets = packets;
      this.bytes = bytes;
    }

    CompiledForward forward() {
      return forward;
    }

    List<Object> shape() {
      CompiledForward f = forward;
      return List.of(
          f.family(),
          f.externalAddress(),
          f.protocol(),
          f.externalPorts(),
          f.backend(),
          f.backendPorts(),
          f.masquerade(),
          f.snat(),
          f.description());
    }

    Fragment join(Fragment other) {
      List<Cidr> sources = new ArrayList<>(forward.allowedSources());
      sources.addAll(other.forward.allowedSources());
      CompiledForward f = forward;
      forward =
          new CompiledForward(
              f.family(),
              f.externalAddress(),
              f.protocol(),
              f.externalPorts(),
              f.backend(),
              f.backendPorts(),
              sources,
              f.masquerade(),
              f.description(),
              f.snat(),
              f.spread());
      packets += other.packets;
      bytes += other.bytes;
      return this;
    }
  }
}
