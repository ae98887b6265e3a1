package dev.portfwd.nft;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.SnatBlock;
import dev.portfwd.compile.Spread;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Balance;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The maps of forwards that spread new connections over several backends ({@code
 * balance=roundrobin} and {@code hash}), and the sets that count their packets per backend.
 *
 * <p>Still a fixed number of lookups per new connection, whatever the number of forwards: the key
 * is the forward's shape as in {@link MapSpec} (external address when named, source block when
 * {@code from=} restricts it, protocol, port) followed by a slot the rule draws per new connection.
 * For hash the slot is {@code jhash ip saddr mod SLOTS} and each backend owns an equal interval of
 * the {@link #SLOTS} slots ({@link #SLOTS} is divisible by every count of backends up to 16, so the
 * shares are exact). For round robin the slot is {@code numgen inc mod N}, counting through the
 * backends in turn, so each count of backends N (2 to {@link #MAX_ROUND_ROBIN}) has its own map and
 * rule per shape: a counter modulo 720720 would give consecutive connections consecutive slots of
 * one backend's interval. A port range is one element per port and backend (the value names the
 * backend's port, the shift of a shifted range included), as single-backend shifted ranges are. The
 * rules of a shape sit beside that shape's single-backend lookups (restricted ones before the
 * refusal of other sources), and nat chains see only a connection's first packet, so only new
 * connections pass them.
 *
 * <p>Counting: each backend's elements count the connections sent to it (nat chains see first
 * packets only). The packets clients send afterwards are counted in a set per shape keyed on the
 * same fields with the backend conntrack translated to ({@code ct reply ip saddr}) in place of the
 * slot, so the traffic of each backend is exact for round robin too, where a second draw would pick
 * another backend.
 *
 * <p>The maps are declared with {@code typeof}: nft 1.0.6 has no type name for the slot, and its
 * listing crashes on a map declared {@code typeof ... jhash}, so both declare the slot as {@code
 * numgen} (the same 32-bit integer) and only the rule says how it is drawn.
 */
final class SpreadMaps {

  /** 720720 = lcm(1..16): equal shares for up to 16 backends. */
  static final int SLOTS = 720_720;

  /** The most backends a round-robin forward spreads over: one map and rule per count. */
  static final int MAX_ROUND_ROBIN = Compiler.MAX_ROUND_ROBIN;

  private SpreadMaps() {}

  /**
   * The key fields before protocol and port: external address ({@code named}) or source block
   * ({@code restricted}), never both (the compiler refuses it): nft 1.0.6 loses a five-part {@code
   * typeof} key's slot width when it reads the map back, and two IPv6 addresses with the slot and
   * the hashed address overflow its registers.
   */
  record Shape(IpFamily family, boolean named, boolean restricted) {

    static Shape of(CompiledForward forward) {
      return new Shape(
          forward.family(), forward.externalAddress().isPresent(), forward.isRestricted());
    }

    String suffix() {
      return MapSpec.suffix(family) + (named ? "_addr" : "") + (restricted ? "_from" : "");
    }

    /** {@code ip daddr . ip saddr . meta l4proto . th dport}, as far as the shape has them. */
    String keyExpression() {
      String ip = MapSpec.ipKeyword(family);
      return (named ? ip + " daddr . " : "")
          + (restricted ? ip + " saddr . " : "")
          + "meta l4proto . th dport";
    }

    /** The set counting the packets after the first of this shape's connections, per backend. */
    String countSet() {
      return "spread" + suffix() + "_count";
    }

    /** The set of this shape's spread forwards' keys (without the slot). */
    String keySet() {
      return "spread" + suffix() + "_keys";
    }

    /** The chain holding this shape's DNAT rules, one per kind. */
    String chain() {
      return "spread" + suffix();
    }

    /**
     * The rule that sends a new connection of a spread forward of this shape to {@link #chain()}:
     * every other connection pays one lookup here instead of one per kind, and only spread
     * connections draw round robin's slots.
     */
    String gateRule() {
      return keyExpression() + " @" + keySet() + " jump " + chain();
    }

    String countRule() {
      return keyExpression()
          + " . ct reply "
          + MapSpec.ipKeyword(family)
          + " saddr @"
          + countSet()
          + " accept";
    }

    static List<Shape> all() {
      List<Shape> shapes = new ArrayList<>();
      for (IpFamily family : IpFamily.values()) {
        for (boolean named : new boolean[] {true, false}) {
          for (boolean restricted : new boolean[] {true, false}) {
            if (!(named && restricted)) {
              shapes.add(new Shape(family, named, restricted));
            }
          }
        }
      }
      return shapes;
    }
  }

  /** One spread map: hash (its {@code count} is 0: any) or round robin over {@code count}. */
  record Kind(Shape shape, Balance balance, int count) {

    String name() {
      return "spread" + shape.suffix() + (balance == Balance.HASH ? "_hash" : "_rr" + count);
    }

    /** The slot expression its rules draw. */
    String slot() {
      return balance == Balance.HASH
          ? "jhash " + MapSpec.ipKeyword(shape.family()) + " saddr mod " + SLOTS
          : "numgen inc mod " + count;
    }

    /** Every kind of {@code shape}, in the order the rules consult them. */
    static List<Kind> all(Shape shape) {
      List<Kind> kinds = new ArrayList<>();
      kinds.add(new Kind(shape, Balance.HASH, 0));
      for (int n = 2; n <= MAX_ROUND_ROBIN; n++) {
        kinds.add(new Kind(shape, Balance.ROUNDROBIN, n));
      }
      return kinds;
    }

    static List<Kind> all() {
      List<Kind> kinds = new ArrayList<>();
      Shape.all().forEach(s -> kinds.addAll(all(s)));
      return kinds;
    }

    static Kind of(CompiledForward forward) {
      Spread spread = forward.spread().orElseThrow();
      return new Kind(
          Shape.of(forward),
          spread.balance(),
          spread.balance() == Balance.HASH ? 0 : spread.backends().size());
    }
  }

  /** The names of every spread map and count set. */
  static List<String> names() {
    List<String> names = new ArrayList<>();
    for (Kind kind : Kind.all()) {
      names.add(kind.name());
    }
    for (Shape shape : Shape.all()) {
      names.add(shape.countSet());
      names.add(shape.keySet());
    }
    return names;
  }

  /** Adds the maps, count and key sets, and the chains of each shape's rules to {@code tx}. */
  static void declare(NftTransaction tx) {
    for (Kind kind : Kind.all()) {
      String ip = MapSpec.ipKeyword(kind.shape().family());
      tx.add(
          "add map "
              + NftTransaction.TABLE
              + " "
              + kind.name()
              + " { typeof "
              + kind.shape().keyExpression()
              + " . numgen inc mod "
              + SLOTS
              + " : "
              + ip
              + " daddr . th dport; flags interval; counter; }");
    }
    for (Shape shape : Shape.all()) {
      String addr = MapSpec.addrType(shape.family());
      tx.add(
          "add set "
              + NftTransaction.TABLE
              + " "
              + shape.countSet()
              + " { type "
              + (shape.named() ? addr + " . " : "")
              + (shape.restricted() ? addr + " . " : "")
              + "inet_proto . inet_service . "
              + addr
              + "; flags interval; counter; }");
      tx.add(
          "add set "
              + NftTransaction.TABLE
              + " "
              + shape.keySet()
              + " { type "
              + (shape.named() ? addr + " . " : "")
              + (shape.restricted() ? addr + " . " : "")
              + "inet_proto . inet_service; flags interval; }");
      tx.add("add chain " + NftTransaction.TABLE + " " + shape.chain());
      for (String rule : rules(shape)) {
        tx.add("add rule " + NftTransaction.TABLE + " " + shape.chain() + " " + rule);
      }
    }
  }

  /** The DNAT rules of {@code shape}'s maps, in the order the chain consults them. */
  static List<String> rules(Shape shape) {
    List<String> rules = new ArrayList<>();
    for (Kind kind : Kind.all(shape)) {
      rules.add(
          "meta l4proto { tcp, udp } dnat "
              + MapSpec.ipKeyword(shape.family())
              + " to "
              + shape.keyExpression()
              + " . "
              + kind.slot()
              + " map @"
              + kind.name());
    }
    return rules;
  }

  /** The elements of one spread forward, added to {@code sets} under their maps' names. */
  static void encode(CompiledForward forward, Map<String, List<NftElement>> sets) {
    Spread spread = forward.spread().orElseThrow();
    Kind kind = Kind.of(forward);
    String map = kind.name();
    List<InetAddress> backends = spread.backends();
    boolean hash = spread.balance() == Balance.HASH;
    int share = SLOTS / backends.size();
    String count = kind.shape().countSet();
    for (List<String> prefix : prefixes(forward)) {
      for (int port = forward.externalPorts().first();
          port <= forward.externalPorts().last();
          port++) {
        for (int i = 0; i < backends.size(); i++) {
          int first = hash ? i * share : i;
          int last = !hash ? i : i == backends.size() - 1 ? SLOTS - 1 : first + share - 1;
          List<String> key = new ArrayList<>(prefix);
          key.add(Integer.toString(port));
          key.add(first == last ? Integer.toString(first) : first + "-" + last);
          sets.get(map)
              .add(
                  new NftElement(
                      map,
                      key,
                      List.of(
                          Addresses.format(backends.get(i)),
                          Integer.toString(port + forward.portOffset())),
                      forward.description()));
        }
      }
      for (InetAddress backend : backends) {
        List<String> key = new ArrayList<>(prefix);
        key.add(NftText.ports(forward.externalPorts()));
        key.add(Addresses.format(backend));
        sets.get(count).add(new NftElement(count, key, List.of(), forward.description()));
      }
      String keys = kind.shape().keySet();
      List<String> key = new ArrayList<>(prefix);
      key.add(NftText.ports(forward.externalPorts()));
      sets.get(keys).add(new NftElement(keys, key, List.of(), ""));
    }
  }

  /** The key parts before the port: (external address,) (source block,) protocol; per block. */
  private static List<List<String>> prefixes(CompiledForward forward) {
    List<List<String>> prefixes = new ArrayList<>();
    List<Optional<Cidr>> sources = new ArrayList<>();
    if (forward.isRestricted()) {
      forward.allowedSources().forEach(c -> sources.add(Optional.of(c)));
    } else {
      sources.add(Optional.empty());
    }
    for (Optional<Cidr> source : sources) {
      List<String> prefix = new ArrayList<>();
      forward.externalAddress().ifPresent(a -> prefix.add(Addresses.format(a)));
      source.ifPresent(c -> prefix.add(NftText.cidr(c)));
      prefix.add(forward.protocol().keyword());
      prefixes.add(prefix);
    }
    return prefixes;
  }

  /** One backend's element read back: whose forward, which slots, where to, its counter. */
  record Piece(
      Kind kind,
      Optional<InetAddress> externalAddress,
      Optional<Cidr> source,
      Protocol protocol,
      int port,
      int firstSlot,
      InetAddress backend,
      int backendPort,
      String comment,
      long packets,
      long bytes) {}

  /** A count set's element read back. */
  record Count(
      Shape shape,
      Optional<InetAddress> externalAddress,
      Optional<Cidr> source,
      Protocol protocol,
      PortRange ports,
      InetAddress backend,
      long packets,
      long bytes) {}

  /** The pieces and counts of the spread maps and count sets among {@code sets}. */
  static Read read(Map<String, List<ElementCodec.Counted>> sets) {
    List<Piece> pieces = new ArrayList<>();
    List<Count> counts = new ArrayList<>();
    for (Kind kind : Kind.all()) {
      for (ElementCodec.Counted counted : sets.getOrDefault(kind.name(), List.of())) {
        NftElement element = counted.element();
        List<String> key = element.key();
        int i = 0;
        Optional<InetAddress> external =
            kind.shape().named()
                ? Optional.of(NftText.parseAddress(key.get(i++)))
                : Optional.empty();
        Optional<Cidr> source =
            kind.shape().restricted()
                ? Optional.of(NftText.parseCidr(key.get(i++)))
                : Optional.empty();
        Protocol protocol = protocol(key.get(i++), element);
        int port = Integer.parseInt(key.get(i++));
        pieces.add(
            new Piece(
                kind,
                external,
                source,
                protocol,
                port,
                firstSlot(key.get(i)),
                NftText.parseAddress(element.value().get(0)),
                Integer.parseInt(element.value().get(1)),
                element.comment(),
                counted.packets(),
                counted.bytes()));
      }
    }
    for (Shape shape : Shape.all()) {
      for (ElementCodec.Counted counted : sets.getOrDefault(shape.countSet(), List.of())) {
        NftElement element = counted.element();
        List<String> key = element.key();
        int i = 0;
        Optional<InetAddress> external =
            shape.named() ? Optional.of(NftText.parseAddress(key.get(i++))) : Optional.empty();
        Optional<Cidr> source =
            shape.restricted() ? Optional.of(NftText.parseCidr(key.get(i++))) : Optional.empty();
        Protocol protocol = protocol(key.get(i++), element);
        PortRange ports = NftText.parsePorts(key.get(i++));
        counts.add(
            new Count(
                shape,
                external,
                source,
                protocol,
                ports,
                NftText.parseAddress(key.get(i)),
                counted.packets(),
                counted.bytes()));
      }
    }
    return new Read(pieces, counts);
  }

  /** What {@link #read} found. */
  record Read(List<Piece> pieces, List<Count> counts) {
    boolean isEmpty() {
      return pieces.isEmpty() && counts.isEmpty();
    }
  }

  private static Protocol protocol(String text, NftElement element) {
    return Protocol.fromKernel(text)
        .orElseThrow(() -> new IllegalArgumentException("unknown protocol in " + element));
  }

  /** {@code 0} of {@code 0-360359} (or of {@code 0}, a one-slot interval). */
  private static int firstSlot(String slots) {
    int dash = slots.indexOf('-');
    return Integer.parseInt(dash < 0 ? slots : slots.substring(0, dash));
  }

  /**
   * The forwards {@code read} makes, backends in slot order, each backend with its connections'
   * packets (from its elements and its count set element) and the forward with their sum: the
   * elements of one port and source block give its backends; source blocks of one forward join;
   * adjacent ports join into the ranges {@link dev.portfwd.compile.Canonical} makes of a table.
   */
  static List<LiveForward> join(Read read, Masquerades masquerades, List<SnatBlock> snat) {
    // 1. Per port and source block: the backends in slot order.
    Map<List<Object>, TreeMap<Integer, Piece>> bySlot = new LinkedHashMap<>();
    for (Piece piece : read.pieces()) {
      bySlot
          .computeIfAbsent(
              List.of(
                  piece.kind(),
                  piece.externalAddress(),
                  piece.source(),
                  piece.protocol(),
                  piece.port()),
              k -> new TreeMap<>())
          .put(piece.firstSlot(), piece);
    }
    // 2. Source blocks of one port with the same backends join.
    Map<List<Object>, PortForward> byPort = new LinkedHashMap<>();
    for (TreeMap<Integer, Piece> slots : bySlot.values()) {
      Piece first = slots.firstEntry().getValue();
      List<InetAddress> backends = new ArrayList<>();
      List<long[]> counters = new ArrayList<>();
      for (Piece piece : slots.values()) {
        backends.add(piece.backend());
        counters.add(new long[] {piece.packets(), piece.bytes()});
      }
      List<Object> identity =
          List.of(
              first.kind(),
              first.externalAddress(),
              first.protocol(),
              first.port(),
              first.backendPort(),
              backends,
              first.comment());
      PortForward into = byPort.get(identity);
      if (into == null) {
        byPort.put(identity, new PortForward(first, backends, counters));
      } else {
        into.add(counters);
      }
      first.source().ifPresent(byPort.get(identity).sources::add);
    }
    // 3. Adjacent ports of one forward join (the map is in kernel order: sort by port first).
    List<PortForward> ports = new ArrayList<>(byPort.values());
    ports.sort((a, b) -> Integer.compare(a.first.port(), b.first.port()));
    Map<List<Object>, Ranged> open = new LinkedHashMap<>();
    List<Ranged> ranged = new ArrayList<>();
    for (PortForward p : ports) {
      Piece f = p.first;
      List<Object> shape =
          List.of(
              f.kind(),
              f.externalAddress(),
              f.protocol(),
              f.backendPort() - f.port(),
              p.backends,
              f.comment(),
              List.copyOf(p.sources));
      Ranged last = open.get(shape);
      if (last != null && last.lastPort + 1 == f.port()) {
        last.lastPort = f.port();
        last.add(p.counters);
      } else {
        Ranged next = new Ranged(p);
        open.put(shape, next);
        ranged.add(next);
      }
    }
    List<LiveForward> forwards = new ArrayList<>();
    for (Ranged r : ranged) {
      forwards.add(r.forward(masquerades, snat, read.counts()));
    }
    return forwards;
  }

  /** One port's forward: its backends and their counters, its source blocks. */
  private static final class PortForward {
    final Piece first;
    final List<InetAddress> backends;
    final List<long[]> counters;
    final List<Cidr> sources = new ArrayList<>();

    PortForward(Piece first, List<InetAddress> backends, List<long[]> counters) {
      this.first = first;
      this.backends = backends;
      this.counters = counters;
    }

    void add(List<long[]> more) {
      for (int i = 0; i < counters.size(); i++) {
        counters.get(i)[0] += more.get(i)[0];
        counters.get(i)[1] += more.get(i)[1];
      }
    }
  }

  /** Adjacent ports of one forward. */
  private static final class Ranged {
    final PortForward first;
    int lastPort;
    final List<long[]> counters = new ArrayList<>();

    Ranged(PortForward first) {
      this.first = first;
      this.lastPort = first.first.port();
      for (int i = 0; i < first.backends.size(); i++) {
        counters.add(new long[2]);
      }
      add(first.counters);
    }

    void add(List<long[]> more) {
      for (int i = 0; i < counters.size(); i++) {
        counters.get(i)[0] += more.get(i)[0];
        counters.get(i)[1] += more.get(i)[1];
      }
    }

    LiveForward forward(Masquerades masquerades, List<SnatBlock> snat, List<Count> counts) {
      Piece p = first.first;
      Shape shape = p.kind().shape();
      IpFamily family = shape.family();
      PortRange external = new PortRange(p.port(), lastPort);
      PortRange backendPorts =
          new PortRange(p.backendPort(), p.backendPort() + lastPort - p.port());
      List<InetAddress> backends = first.backends;
      Optional<InetAddress> source =
          SnatBlock.sourceFor(snat, family, backends.get(0), p.protocol(), backendPorts);
      boolean masquerade =
          source.isPresent()
              || masquerades.covers(family, backends.get(0), p.protocol(), p.backendPort());
      Optional<Spread> spread =
          backends.size() < 2
              ? Optional.empty()
              : Optional.of(new Spread(p.kind().balance(), backends));
      CompiledForward forward =
          new CompiledForward(
              family,
              p.externalAddress(),
              p.protocol(),
              external,
              backends.get(0),
              backendPorts,
              List.copyOf(first.sources),
              masquerade,
              p.comment(),
              source,
              spread);
      for (Count c : counts) {
        int i = backends.indexOf(c.backend());
        if (i >= 0
            && c.shape().equals(shape)
            && c.protocol() == p.protocol()
            && c.externalAddress().equals(p.externalAddress())
            && c.ports().overlaps(external)
            && (c.source().isEmpty() || forward.allowedSources().contains(c.source().get()))) {
          counters.get(i)[0] += c.packets();
          counters.get(i)[1] += c.bytes();
        }
      }
      List<LiveForward.BackendCounter> each = new ArrayList<>();
      long packets = 0;
      long bytes = 0;
      for (int i = 0; i < backends.size(); i++) {
        each.add(
            new LiveForward.BackendCounter(
                backends.get(i), counters.get(i)[0], counters.get(i)[1]));
        packets += counters.get(i)[0];
        bytes += counters.get(i)[1];
      }
      return new LiveForward(forward, packets, bytes, -1, backends.size() < 2 ? List.of() : each);
    }
  }

  /** Whether the kernel masquerades connections to a backend tuple. */
  interface Masquerades {
    boolean covers(IpFamily family, InetAddress backend, Protocol protocol, int port);
  }
}
