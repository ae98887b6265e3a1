package dev.portfwd.nft;

import dev.portfwd.model.IpFamily;

/**
 * portfwd's table without elements: its sets, maps, chains and rules. The same for every forwarding
 * table, so a change of forwards only adds and deletes elements.
 *
 * <p>One {@code inet} table rather than an {@code ip}/{@code ip6} pair: one transaction, one name
 * to list, remove and check, and one forward chain; maps are typed per family anyway (their values
 * are IPv4 or IPv6 addresses), so each family gets its own maps inside it.
 *
 * <p>Chains:
 *
 * <ul>
 *   <li>{@code translate} (regular) sends TCP and UDP to its family's chain ({@code translate4},
 *       {@code translate6}) through one verdict map. That chain holds the DNAT lookups in
 *       precedence order: forwards naming an external address (restricted ones first, then a {@code
 *       return} that refuses other sources, then the open ones), then, behind one {@code fib daddr
 *       type local}, the forwards for any local address in the same order ({@code
 *       translate4_local}). A {@code dnat} ends the chain, so the first match wins. Jumped to from
 *       prerouting (priority dstnat) and from output for the gateway's own connections (priority
 *       -100: nft 1.0.6 rejects the keyword there; loopback excluded).
 *   <li>{@code count} (filter, prerouting, priority mangle = -150, before DNAT) sends the packets
 *       clients send on DNATed connections after their first to {@code count_lookups}, which
 *       repeats the lookups in the same shape of chains ({@code count4}, {@code count4_local},
 *       ...), so the map elements' counters hold every packet clients sent (nat chains see only
 *       first packets). Replies and traffic that was not forwarded leave after one rule: they cost
 *       the data plane nothing more, and a reply to a port that is also forwarded is not counted as
 *       a client's packet of that forward.
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
   * backend's packets of a spread forward in its own element.
   */
  static final String VERSION = "portfwd ruleset 4";

  static final String MARKER = "ruleset_v4";

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

  /** Adds the table with every set, map, chain and rule, and no elements, to {@code tx}. */
  static void addTo(NftTransaction tx) {
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
    tx.add("add chain " + t + " translate");
    tx.add("add chain " + t + " count_lookups");
    for (IpFamily family : IpFamily.values()) {
      for (String stage : new String[] {"translate", "count"}) {
        tx.add("add chain " + t + " " + chain(stage, family, false));
        tx.add("add chain " + t + " " + chain(stage, family, true));
      }
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
    tx.add("add rule " + t + " count ct direction original ct status dnat jump count_lookups");
    tx.add("add rule " + t + " translate " + toFamilyChain("translate"));
    tx.add("add rule " + t + " count_lookups " + toFamilyChain("count"));
    for (IpFamily family : IpFamily.values()) {
      lookups(tx, family, "translate");
      lookups(tx, family, "count");
    }
    tx.add("add rule " + t + " prerouting jump translate");
    tx.add("add rule " + t + " output ip daddr 127.0.0.0/8 return");
    tx.add("add rule " + t + " output ip6 daddr ::1 return");
    tx.add("add rule " + t + " output jump translate");
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
   * count6_local}, ... The {@code _local} ones hold the forwards without an external address,
   * behind one {@code fib daddr type local}.
   */
  private static String chain(String stage, IpFamily family, boolean local) {
    return stage + (family == IpFamily.IPV4 ? "4" : "6") + (local ? "_local" : "");
  }

  /**
   * The lookup rules of one family, in precedence order: DNAT in {@code translate}, counting in
   * {@code count}. A {@code return} ends the family's lookups: it returns from the family chain,
   * and from the local chain to the end of the family chain.
   */
  private static void lookups(NftTransaction tx, IpFamily family, String stage) {
    boolean translate = stage.equals("translate");
    String ip = MapSpec.ipKeyword(family);
    for (boolean named : new boolean[] {true, false}) {
      String chain = NftTransaction.TABLE + " " + chain(stage, family, !named);
      for (boolean restricted : new boolean[] {true, false}) {
        for (boolean range : new boolean[] {false, true}) {
          MapSpec spec = new MapSpec(family, named, restricted, range);
          // nft accepts a port mapping only after a protocol match in the same rule.
          String action =
              translate
                  ? "meta l4proto { tcp, udp } dnat "
                      + ip
                      + " to "
                      + spec.keyExpression()
                      + " map @"
                      + spec.name()
                  : spec.keyExpression() + " @" + spec.name() + " accept";
          tx.add("add rule " + chain + " " + action);
        }
        SpreadMaps.Shape shape = new SpreadMaps.Shape(family, named, restricted);
        if (!(named && restricted)) {
          if (translate) {
            tx.add("add rule " + chain + " " + shape.gateRule());
          } else {
            tx.add("add rule " + chain + " " + shape.countRule());
          }
        }
        if (restricted) {
          // Not admitted by the lookups above: refuse, so such sources neither reach the forward
          // nor fall through to an address-less forward on the same port.
          tx.add(
              "add rule "
                  + chain
                  + " "
                  + (named ? ip + " daddr . " : "")
                  + "meta l4proto . th dport @"
                  + MapSpec.refuseSet(family, named)
                  + " return");
        }
      }
      if (named) {
        tx.add("add rule " + chain + " fib daddr type local jump " + chain(stage, family, true));
      }
    }
  }
}
