package dev.portfwd.nft;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.Spread;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Balance;
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
 * balance=roundrobin} and {@code hash}).
 *
 * <p>Still a fixed number of lookups per new connection, whatever the number of forwards: the key
 * is protocol, port and a slot the rule draws per new connection. For hash the slot is {@code jhash
 * ip saddr mod SLOTS} and each backend owns an equal interval of the {@link #SLOTS} slots ({@link
 * #SLOTS} is divisible by every count of backends up to 16, so the shares are exact). For round
 * robin the slot is {@code numgen inc mod N}, counting through the backends in turn, so each count
 * of backends N (2 to {@link #MAX_ROUND_ROBIN}) has its own map and rule: a counter modulo 720720
 * would give consecutive connections consecutive slots of one backend's interval. Those rules come
 * after every other forward's lookup, and nat chains see only a connection's first packet, so only
 * new connections of spread forwards (and to the gateway's own services) pass them. Each backend is
 * one element with its own counter (new connections per backend) and the forward's comment.
 *
 * <p>The maps are declared with {@code typeof}: nft 1.0.6 has no type name for the slot, and its
 * listing crashes on a map declared {@code typeof ... jhash}, so both declare the slot as {@code
 * numgen} (the same 32-bit integer) and only the rule says how it is drawn.
 */
final class SpreadMaps {

  /** 720720 = lcm(1..16): equal shares for up to 16 backends. */
  static final int SLOTS = 720_720;

  /** The most backends a round-robin forward spreads over: one map and rule per count. */
  static final int MAX_ROUND_ROBIN = dev.portfwd.compile.Compiler.MAX_ROUND_ROBIN;

  private SpreadMaps() {}

  /** One spread map: hash (its {@code count} is 0: any) or round robin over {@code count}. */
  record Kind(IpFamily family, Balance balance, int count) {

    String name() {
      return "spread"
          + (family == IpFamily.IPV4 ? "4" : "6")
          + (balance == Balance.HASH ? "_hash" : "_rr" + count);
    }

    /** The slot expression its rules draw. */
    String slot() {
      return balance == Balance.HASH
          ? "jhash " + MapSpec.ipKeyword(family) + " saddr mod " + SLOTS
          : "numgen inc mod " + count;
    }

    /** Every kind of {@code family}, in the order the rules consult them. */
    static List<Kind> all(IpFamily family) {
      List<Kind> kinds = new ArrayList<>();
      kinds.add(new Kind(family, Balance.HASH, 0));
      for (int n = 2; n <= MAX_ROUND_ROBIN; n++) {
        kinds.add(new Kind(family, Balance.ROUNDROBIN, n));
      }
      return kinds;
    }

    static Kind of(CompiledForward forward) {
      Spread spread = forward.spread().orElseThrow();
      return new Kind(
          forward.family(),
          spread.balance(),
          spread.balance() == Balance.HASH ? 0 : spread.backends().size());
    }
  }

  /** The names of every spread map. */
  static List<String> names() {
    List<String> names = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      for (Kind kind : Kind.all(family)) {
        names.add(kind.name());
      }
    }
    return names;
  }

  /** Adds the maps to {@code tx}. */
  static void declare(NftTransaction tx) {
    for (IpFamily family : IpFamily.values()) {
      for (Kind kind : Kind.all(family)) {
        tx.add(
            "add map "
                + NftTransaction.TABLE
                + " "
                + kind.name()
                + " { typeof meta l4proto . th dport . numgen inc mod "
                + SLOTS
                + " : "
                + MapSpec.ipKeyword(family)
                + " daddr . th dport; flags interval; counter; }");
      }
    }
  }

  /** The DNAT rule that looks up the map of {@code kind}. */
  static String rule(Kind kind) {
    return "meta l4proto { tcp, udp } dnat "
        + MapSpec.ipKeyword(kind.family())
        + " to meta l4proto . th dport . "
        + kind.slot()
        + " map @"
        + kind.name();
  }

  /**
   * The counting stage's lookup: the packets clients send after the first on a spread connection
   * count on an element of the forward. For hash it is the backend's own; for round robin the draw
   * picks one of the forward's elements, so the forward's total is right but not the share of each
   * backend.
   */
  static String countRule(Kind kind) {
    return "meta l4proto . th dport . " + kind.slot() + " @" + kind.name() + " accept";
  }

  /** The elements of one spread forward, added to {@code sets} under its map's name. */
  static void encode(CompiledForward forward, Map<String, List<NftElement>> sets) {
    Spread spread = forward.spread().orElseThrow();
    String map = Kind.of(forward).name();
    List<InetAddress> backends = spread.backends();
    boolean hash = spread.balance() == Balance.HASH;
    int share = SLOTS / backends.size();
    for (int i = 0; i < backends.size(); i++) {
      int first = hash ? i * share : i;
      int last = !hash ? i : i == backends.size() - 1 ? SLOTS - 1 : first + share - 1;
      sets.get(map)
          .add(
              new NftElement(
                  map,
                  List.of(
                      forward.protocol().keyword(),
                      Integer.toString(forward.externalPorts().first()),
                      first == last ? Integer.toString(first) : first + "-" + last),
                  List.of(
                      Addresses.format(backends.get(i)),
                      Integer.toString(forward.backendPorts().first())),
                  forward.description()));
    }
  }

  /** One backend's element read back: whose forward, which slots, where to, its counter. */
  record Piece(
      IpFamily family,
      Balance balance,
      Protocol protocol,
      int port,
      int firstSlot,
      InetAddress backend,
      int backendPort,
      String comment,
      long packets,
      long bytes) {}

  /** Reads the elements of spread map {@code map}; null when {@code map} is not one. */
  static List<Piece> pieces(String map, List<ElementCodec.Counted> elements) {
    IpFamily family = null;
    Balance balance = null;
    for (IpFamily f : IpFamily.values()) {
      for (Kind kind : Kind.all(f)) {
        if (kind.name().equals(map)) {
          family = f;
          balance = kind.balance();
        }
      }
    }
    if (family == null) {
      return null;
    }
    List<Piece> pieces = new ArrayList<>();
    for (ElementCodec.Counted counted : elements) {
      NftElement element = counted.element();
      List<String> key = element.key();
      pieces.add(
          new Piece(
              family,
              balance,
              Protocol.fromKeyword(key.get(0))
                  .orElseThrow(() -> new IllegalArgumentException("unknown protocol " + element)),
              Integer.parseInt(key.get(1)),
              firstSlot(key.get(2)),
              NftText.parseAddress(element.value().get(0)),
              Integer.parseInt(element.value().get(1)),
              element.comment(),
              counted.packets(),
              counted.bytes()));
    }
    return pieces;
  }

  /** {@code 0} of {@code 0-360359} (or of {@code 0}, a one-slot interval). */
  private static int firstSlot(String slots) {
    int dash = slots.indexOf('-');
    return Integer.parseInt(dash < 0 ? slots : slots.substring(0, dash));
  }

  /**
   * The forwards {@code pieces} make, backends in slot order, with their counters summed; {@code
   * masquerades} says whether a backend tuple is masqueraded.
   */
  static List<Joined> join(List<Piece> pieces, Masquerades masquerades) {
    Map<List<Object>, TreeMap<Integer, Piece>> byForward = new LinkedHashMap<>();
    for (Piece piece : pieces) {
      byForward
          .computeIfAbsent(
              List.of(piece.family(), piece.balance(), piece.protocol(), piece.port()),
              k -> new TreeMap<>())
          .put(piece.firstSlot(), piece);
    }
    List<Joined> joined = new ArrayList<>();
    for (TreeMap<Integer, Piece> slots : byForward.values()) {
      Piece first = slots.firstEntry().getValue();
      List<InetAddress> backends = new ArrayList<>();
      long packets = 0;
      long bytes = 0;
      for (Piece piece : slots.values()) {
        backends.add(piece.backend());
        packets += piece.packets();
        bytes += piece.bytes();
      }
      Optional<Spread> spread =
          backends.size() < 2
              ? Optional.empty()
              : Optional.of(new Spread(first.balance(), backends));
      CompiledForward forward =
          new CompiledForward(
              first.family(),
              Optional.empty(),
              first.protocol(),
              PortRange.of(first.port()),
              first.backend(),
              PortRange.of(first.backendPort()),
              List.of(),
              masquerades.covers(
                  first.family(), first.backend(), first.protocol(), first.backendPort()),
              first.comment(),
              Optional.empty(),
              spread);
      joined.add(new Joined(forward, packets, bytes, List.copyOf(slots.values())));
    }
    return joined;
  }

  /** A spread forward read back, with its counters and its backends' own elements. */
  record Joined(CompiledForward forward, long packets, long bytes, List<Piece> pieces) {}

  /** Whether the kernel masquerades connections to a backend tuple. */
  interface Masquerades {
    boolean covers(IpFamily family, InetAddress backend, Protocol protocol, int port);
  }
}
