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
 * <p>Still one lookup per packet: the key is protocol, port and a slot in 0 to {@link #SLOTS}-1,
 * which the rule draws per new connection, {@code numgen inc mod SLOTS} for round robin and {@code
 * jhash ip saddr mod SLOTS} for hash, and each backend owns an equal interval of slots. {@link
 * #SLOTS} is divisible by every count of backends up to 16, so the shares are exact. Each backend
 * is one element with its own counter (new connections per backend) and the forward's comment.
 *
 * <p>The maps are declared with {@code typeof}: nft 1.0.6 has no type name for the slot, and its
 * listing crashes on a map declared {@code typeof ... jhash}, so both declare the slot as {@code
 * numgen} (the same 32-bit integer) and only the rule says how it is drawn.
 */
final class SpreadMaps {

  /** 720720 = lcm(1..16): equal shares for up to 16 backends. */
  static final int SLOTS = 720_720;

  private SpreadMaps() {}

  static String name(IpFamily family, Balance balance) {
    return "spread"
        + (family == IpFamily.IPV4 ? "4" : "6")
        + (balance == Balance.HASH ? "_hash" : "_rr");
  }

  /** The names of every spread map. */
  static List<String> names() {
    List<String> names = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      names.add(name(family, Balance.ROUNDROBIN));
      names.add(name(family, Balance.HASH));
    }
    return names;
  }

  /** Adds the maps to {@code tx}. */
  static void declare(NftTransaction tx) {
    for (IpFamily family : IpFamily.values()) {
      for (Balance balance : new Balance[] {Balance.ROUNDROBIN, Balance.HASH}) {
        tx.add(
            "add map "
                + NftTransaction.TABLE
                + " "
                + name(family, balance)
                + " { typeof meta l4proto . th dport . numgen inc mod "
                + SLOTS
                + " : "
                + MapSpec.ipKeyword(family)
                + " daddr . th dport; flags interval; counter; }");
      }
    }
  }

  /** The DNAT rule that looks up {@code family}'s map of {@code balance}. */
  static String rule(IpFamily family, Balance balance) {
    String slot =
        balance == Balance.HASH
            ? "jhash " + MapSpec.ipKeyword(family) + " saddr mod " + SLOTS
            : "numgen inc mod " + SLOTS;
    return "meta l4proto { tcp, udp } dnat "
        + MapSpec.ipKeyword(family)
        + " to meta l4proto . th dport . "
        + slot
        + " map @"
        + name(family, balance);
  }

  /**
   * The counting stage's lookup: the packets clients send after the first on a spread connection
   * count on an element of the forward. For hash it is the backend's own; for round robin the draw
   * picks one of the forward's elements, so the forward's total is right but not the share of each
   * backend.
   */
  static String countRule(IpFamily family, Balance balance) {
    String slot =
        balance == Balance.HASH
            ? "jhash " + MapSpec.ipKeyword(family) + " saddr mod " + SLOTS
            : "numgen inc mod " + SLOTS;
    return "meta l4proto . th dport . " + slot + " @" + name(family, balance) + " accept";
  }

  /** The elements of one spread forward, added to {@code sets} under its map's name. */
  static void encode(CompiledForward forward, Map<String, List<NftElement>> sets) {
    Spread spread = forward.spread().orElseThrow();
    String map = name(forward.family(), spread.balance());
    List<InetAddress> backends = spread.backends();
    int share = SLOTS / backends.size();
    for (int i = 0; i < backends.size(); i++) {
      int first = i * share;
      int last = i == backends.size() - 1 ? SLOTS - 1 : first + share - 1;
      sets.get(map)
          .add(
              new NftElement(
                  map,
                  List.of(
                      forward.protocol().keyword(),
                      Integer.toString(forward.externalPorts().first()),
                      first + "-" + last),
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
      for (Balance b : new Balance[] {Balance.ROUNDROBIN, Balance.HASH}) {
        if (name(f, b).equals(map)) {
          family = f;
          balance = b;
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
