package dev.portfwd.nft;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.IpFamily;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * portfwd's table without elements: its sets, maps, chains and rules. The sets, maps and chains are
 * the same for every forwarding table; the lookup chains hold a rule only for the maps and sets
 * that have elements ({@link #consulted}), so a packet walks past no empty map. A change of
 * forwards adds and deletes elements, and when it changes which maps have elements, the same
 * transaction flushes the lookup chains and writes their rules again ({@link #relink}): packets see
 * the old rules or the new, never a mix.
 *
 * <p>One {@code inet} table rather than an {@code ip}/{@code ip6} pair: one transaction, one name
 * to list, remove and check, and one forward chain; maps are typed per family anyway (their values
 * are IPv4 or IPv6 addresses), so each family gets its own maps inside it.
 *
 * <p>Chains:
 *
 * <ul>
 *   <li>{@code prerouting} (priority dstnat) sends TCP and UDP to its family's chain ({@code
 *       translate4}, {@code translate6}) through one verdict map. That chain holds the DNAT lookups
 *       in precedence order: forwards naming an external address (restricted ones first, then a
 *       {@code return} that refuses other sources, then the open ones), then, behind one {@code fib
 *       daddr type local}, the forwards for any local address in the same order ({@code
 *       translate4_local}). A {@code dnat} ends the chain, so the first match wins. {@code output}
 *       (priority -100: nft 1.0.6 rejects the keyword there) does the same for the gateway's own
 *       connections, loopback excluded.
 *   <li>{@code count} (filter, prerouting, priority mangle = -150, before DNAT) sends the packets
 *       clients send on DNATed connections after their first to their family's {@code count4} or
 *       {@code count6}, which repeats the lookups in the same order without the {@code fib} (only
 *       translated connections get there), so the map elements' counters hold every packet clients
 *       sent (nat chains see only first packets). Replies and traffic that was not forwarded leave
 *       after one rule: they cost the data plane nothing more, and a reply to a port that is also
 *       forwarded is not counted as a client's packet of that forward.
 *   <li>{@code postrouting} translates DNATed connections whose backend tuple is in the {@code
 *       snat} map to that map's address ({@code snat=}), and masquerades only DNATed connections
 *       whose backend tuple is in the masquerade set; {@code forward} accepts DNATed connections
 *       (an accept ends only our own base chain: another table's drop still wins, which {@code
 *       doctor} reports).
 * </ul>
 */
final class Skeleton {

  /**
   * Stored as the table's comment for people. nft 1.0.6 leaves table comments out of its JSON, so
   * the version is also the name of an empty marker set, {@link #MARKER}: a table without it was
   * made by another portfwd version and is rebuilt as a whole (still one transaction) instead of
   * patched. Version 2 counts only what clients send on DNATed connections and matches family and
   * protocol once per packet, then one {@code fib} lookup, in per-family chains; version 1 ran
   * every packet through every rule, each repeating those matches. Version 3 adds the {@code snat}
   * maps ({@code snat=}) and the maps of forwards that spread connections over several backends
   * ({@link SpreadMaps}). Version 4 spreads forwards of every shape (external address, {@code
   * from=}, ranges) through one lookup per shape and a chain of rules per shape, and counts each
   * backend's packets of a spread forward in its own element. Version 5 leaves out the lookup rules
   * of maps and sets without elements, and counts without a {@code fib} and without a chain between
   * the base chains and the family's lookups.
   */
  static final String VERSION = "portfwd ruleset 5";

  static final String MARKER = "ruleset_v5";

  private Skeleton() {}

  /**
   * Stores {@code digest} (see {@link ElementDigest}) as the comment of the marker set's only
   * element, in the transaction that makes the elements it describes: both change together or not
   * at all.
   */
  static void markDigest(NftTransaction tx, String digest) {
    tx.add("flush set " + NftTransaction.TABLE + " " + MARKER);
    tx.add(
        "add element " + NftTransaction.TABLE + " " + MARKER + " { 0 comment \"" + digest + "\" }");
  }

  /**
   * The sets and maps among {@code sets} (elements by set name) that hold an element and that a
   * lookup rule consults: the DNAT maps, the refuse sets and the spread forwards' key and count
   * sets.
   */
  static Set<String> consulted(Map<String, List<NftElement>> sets) {
    Set<String> consulted = new TreeSet<>();
    sets.forEach(
        (set, elements) -> {
          if (!elements.isEmpty() && CONSULTED.contains(set)) {
            consulted.add(set);
          }
        });
    return consulted;
  }

  /**
   * The sets and maps that {@code forwards}' elements go to and a lookup rule consults: the same as
   * {@link #consulted(Map)} of their encoding, without encoding them.
   */
  static Set<String> consulted(List<CompiledForward> forwards) {
    Set<String> consulted = new TreeSet<>();
    for (CompiledForward forward : forwards) {
      if (forward.spread().isPresent()) {
        SpreadMaps.Shape shape = SpreadMaps.Shape.of(forward);
        consulted.add(shape.keySet());
        consulted.add(shape.countSet());
      } else {
        consulted.add(ElementCodec.specOf(forward).name());
      }
      if (forward.isRestricted()) {
        consulted.add(MapSpec.refuseSet(forward.family(), forward.externalAddress().isPresent()));
      }
    }
    return consulted;
  }

  /** Every set and map a lookup rule may consult. */
  private static final Set<String> CONSULTED = consultable();

  private static Set<String> consultable() {
    Set<String> names = new HashSet<>();
    for (IpFamily family : IpFamily.values()) {
      MapSpec.all(family).forEach(spec -> names.add(spec.name()));
      names.add(MapSpec.refuseSet(family, true));
      names.add(MapSpec.refuseSet(family, false));
    }
    for (SpreadMaps.Shape shape : SpreadMaps.Shape.all()) {
      names.add(shape.keySet());
      names.add(shape.countSet());
    }
    return Set.copyOf(names);
  }

  /**
   * Flushes the lookup chains and writes their rules again for the sets and maps in {@code
   * consulted}: for a patch that changes which of them hold elements.
   */
  static void relink(NftTransaction tx, Set<String> consulted) {
    for (String chain : lookupChains()) {
      tx.add("flush chain " + NftTransaction.TABLE + " " + chain);
    }
    for (IpFamily family : IpFamily.values()) {
      lookups(tx, family, "translate", consulted);
      lookups(tx, family, "count", consulted);
    }
  }

  /** The chains whose rules depend on the sets and maps in use. */
  private static List<String> lookupChains() {
    List<String> chains = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      chains.add(chain("translate", family, false));
      chains.add(chain("translate", family, true));
      chains.add(chain("count", family, false));
    }
    return chains;
  }

  /**
   * Adds the table with every set, map, chain and rule, and no elements, to {@code tx}; the lookup
   * chains consult the sets and maps in {@code consulted}.
   */
  static void addTo(NftTransaction tx, Set<String> consulted) {
    String t = NftTransaction.TABLE;
    tx.add("add table " + t + " { comment \"" + VERSION + "\"; }");
    tx.add("add set " + t + " " + MARKER + " { type inet_service; }");
    for (IpFamily family : IpFamily.values()) {
      for (MapSpec spec : MapSpec.all(family)) {
        tx.add(
            "add map "
                + t
                + " "
                + spec.name()
                + " { type "
                + spec.keyType()
                + " : "
                + spec.valueType()
                + ";"
                + (spec.interval() ? " flags interval;" : "")
                + " counter; }");
      }
      String addr = MapSpec.addrType(family);
      tx.add(
          "add set "
              + t
              + " "
              + MapSpec.refuseSet(family, true)
              + " { type "
              + addr
              + " . inet_proto . inet_service; flags interval; }");
      tx.add(
          "add set "
              + t
              + " "
              + MapSpec.refuseSet(family, false)
              + " { type inet_proto . inet_service; flags interval; }");
      tx.add(
          "add set "
              + t
              + " "
              + MapSpec.masqueradeSet(family)
              + " { type "
              + addr
              + " . inet_proto . inet_service; flags interval; }");
      tx.add(
          "add map "
              + t
              + " "
              + MapSpec.snatMap(family)
              + " { type "
              + addr
              + " . inet_proto . inet_service : "
              + addr
              + "; flags interval; counter; }");
    }
    SpreadMaps.declare(tx);
    for (String chain : lookupChains()) {
      tx.add("add chain " + t + " " + chain);
    }
    tx.add(
        "add chain "
            + t
            + " count { type filter hook prerouting priority mangle; policy accept; }");
    tx.add(
        "add chain "
            + t
            + " prerouting { type nat hook prerouting priority dstnat; policy accept; }");
    tx.add("add chain " + t + " output { type nat hook output priority -100; policy accept; }");
    tx.add(
        "add chain "
            + t
            + " postrouting { type nat hook postrouting priority srcnat; policy accept; }");
    tx.add(
        "add chain " + t + " forward { type filter hook forward priority filter; policy accept; }");
    // A connection's first packet is not DNATed yet at this priority: translate's lookup counts it.
    tx.add(
        "add rule " + t + " count ct direction original ct status dnat " + toFamilyChain("count"));
    for (IpFamily family : IpFamily.values()) {
      lookups(tx, family, "translate", consulted);
      lookups(tx, family, "count", consulted);
    }
    tx.add("add rule " + t + " prerouting " + toFamilyChain("translate"));
    tx.add("add rule " + t + " output ip daddr 127.0.0.0/8 return");
    tx.add("add rule " + t + " output ip6 daddr ::1 return");
    tx.add("add rule " + t + " output " + toFamilyChain("translate"));
    for (IpFamily family : IpFamily.values()) {
      // snat= first: a connection in a snat map gets that address, not the interface's.
      tx.add(
          "add rule "
              + t
              + " postrouting ct status dnat meta nfproto "
              + MapSpec.nfproto(family)
              + " snat "
              + MapSpec.ipKeyword(family)
              + " to "
              + MapSpec.ipKeyword(family)
              + " daddr . meta l4proto . th dport map @"
              + MapSpec.snatMap(family));
      tx.add(
          "add rule "
              + t
              + " postrouting ct status dnat meta nfproto "
              + MapSpec.nfproto(family)
              + " "
              + MapSpec.ipKeyword(family)
              + " daddr . meta l4proto . th dport @"
              + MapSpec.masqueradeSet(family)
              + " masquerade");
    }
    tx.add("add rule " + t + " forward ct status dnat accept");
  }

  /**
   * Sends TCP and UDP to {@code stage}'s chain of their family: protocol and family are matched
   * once per packet, and the fib lookup once in that chain, instead of in every lookup rule.
   */
  private static String toFamilyChain(String stage) {
    return "meta l4proto { tcp, udp } meta nfproto vmap { ipv4 : jump "
        + chain(stage, IpFamily.IPV4, false)
        + ", ipv6 : jump "
        + chain(stage, IpFamily.IPV6, false)
        + " }";
  }

  /**
   * The chain holding {@code stage}'s lookups for {@code family}: {@code translate4}, {@code
   * translate6_local}, {@code count4}, ... The {@code _local} ones hold the forwards without an
   * external address, behind one {@code fib daddr type local}; counting has none.
   */
  private static String chain(String stage, IpFamily family, boolean local) {
    return stage + (family == IpFamily.IPV4 ? "4" : "6") + (local ? "_local" : "");
  }

  /**
   * The lookup rules of one family, in precedence order: DNAT in {@code translate}, counting in
   * {@code count}, each only when the set or map it consults is in {@code consulted} (an empty one
   * never matches, so leaving its rule out changes no verdict). A {@code return} ends the family's
   * lookups: it returns from the family chain, and from the local chain to the end of the family
   * chain. The family chain jumps to the local chain only when that has a rule. Counting keeps both
   * in the family chain.
   */
  private static void lookups(
      NftTransaction tx, IpFamily family, String stage, Set<String> consulted) {
    boolean translate = stage.equals("translate");
    String ip = MapSpec.ipKeyword(family);
    for (boolean named : new boolean[] {true, false}) {
      List<String> rules = new ArrayList<>();
      for (boolean restricted : new boolean[] {true, false}) {
        for (boolean range : new boolean[] {false, true}) {
          MapSpec spec = new MapSpec(family, named, restricted, range);
          if (!consulted.contains(spec.name())) {
            continue;
          }
          // nft accepts a port mapping only after a protocol match in the same rule.
          rules.add(
              translate
                  ? "meta l4proto { tcp, udp } dnat "
                      + ip
                      + " to "
                      + spec.keyExpression()
                      + " map @"
                      + spec.name()
                  : spec.keyExpression() + " @" + spec.name() + " accept");
        }
        SpreadMaps.Shape shape = new SpreadMaps.Shape(family, named, restricted);
        if (!(named && restricted)) {
          if (translate && consulted.contains(shape.keySet())) {
            rules.add(shape.gateRule());
          } else if (!translate && consulted.contains(shape.countSet())) {
            rules.add(shape.countRule());
          }
        }
        String refuse = MapSpec.refuseSet(family, named);
        if (restricted && consulted.contains(refuse)) {
          // Not admitted by the lookups above: refuse, so such sources neither reach the forward
          // nor fall through to an address-less forward on the same port.
          rules.add(
              (named ? ip + " daddr . " : "") + "meta l4proto . th dport @" + refuse + " return");
        }
      }
      // Counting has no fib: it sees only translated connections (ct status dnat), whose first
      // packet the translate chain already told apart by destination.
      String chain = NftTransaction.TABLE + " " + chain(stage, family, translate && !named);
      for (String rule : rules) {
        tx.add("add rule " + chain + " " + rule);
      }
      if (translate && named && hasLocalRule(family, consulted)) {
        tx.add("add rule " + chain + " fib daddr type local jump " + chain(stage, family, true));
      }
    }
  }

  /** True when a set or map of {@code family}'s forwards without an external address is in use. */
  private static boolean hasLocalRule(IpFamily family, Set<String> consulted) {
    for (boolean restricted : new boolean[] {true, false}) {
      for (boolean range : new boolean[] {false, true}) {
        if (consulted.contains(new MapSpec(family, false, restricted, range).name())) {
          return true;
        }
      }
      SpreadMaps.Shape shape = new SpreadMaps.Shape(family, false, restricted);
      if (consulted.contains(shape.keySet()) || consulted.contains(shape.countSet())) {
        return true;
      }
    }
    return consulted.contains(MapSpec.refuseSet(family, false));
  }
}
