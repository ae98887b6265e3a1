package dev.portfwd.iptables;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chains portfwd owns and the jumps that reach them. Every name starts with {@link #PREFIX},
 * which is how portfwd tells its chains from Docker's, ufw's or hand-written ones: nothing without
 * the prefix is ever flushed or deleted, and a built-in chain only ever gains or loses the one rule
 * {@code -j PORTFWD-…}.
 *
 * <ul>
 *   <li>nat {@code PORTFWD-DNAT} holds the lookups (one DNAT rule per forward and allowed source
 *       block), reached from {@code PORTFWD-PREROUTING} and from {@code PORTFWD-OUTPUT} (the
 *       gateway's own connections; loopback returns first).
 *   <li>nat {@code PORTFWD-POSTROUTING} masquerades connections portfwd DNATed to backends of
 *       forwards with masquerade on ({@code --ctstate DNAT}), never other traffic.
 *   <li>filter {@code PORTFWD-FORWARD} accepts connections DNATed to portfwd's backends, so a
 *       FORWARD policy of DROP (Docker sets one) does not stop them.
 * </ul>
 *
 * The jumps are inserted at the top of the built-in chains: a forward named in portfwd's table wins
 * over a later catch-all of another tool (firewalld's final REJECT, Docker's DNAT of a published
 * port), which is what the person who wrote the table asked for.
 */
final class Chains {

  static final String PREFIX = "PORTFWD-";
  static final String PREROUTING = "PORTFWD-PREROUTING";
  static final String OUTPUT = "PORTFWD-OUTPUT";
  static final String DNAT = "PORTFWD-DNAT";
  static final String POSTROUTING = "PORTFWD-POSTROUTING";
  static final String FORWARD = "PORTFWD-FORWARD";

  static final String NAT = "nat";
  static final String FILTER = "filter";

  /** The tables portfwd writes, in the order an apply changes them (accept before DNAT). */
  static final List<String> TABLES = List.of(FILTER, NAT);

  private Chains() {}

  /** portfwd's chains of {@code table}, in the order restore input declares them. */
  static List<String> own(String table) {
    return table.equals(NAT) ? List.of(PREROUTING, OUTPUT, DNAT, POSTROUTING) : List.of(FORWARD);
  }

  /** Built-in chain → portfwd's chain it jumps to, for {@code table}. */
  static Map<String, String> jumps(String table) {
    Map<String, String> jumps = new LinkedHashMap<>();
    if (table.equals(NAT)) {
      jumps.put("PREROUTING", PREROUTING);
      jumps.put("OUTPUT", OUTPUT);
      jumps.put("POSTROUTING", POSTROUTING);
    } else {
      jumps.put("FORWARD", FORWARD);
    }
    return jumps;
  }

  /** The words of a jump rule to {@code chain}: exactly what portfwd adds to a built-in chain. */
  static List<String> jump(String chain) {
    return List.of("-j", chain);
  }

  static boolean isOwn(String chain) {
    return chain.startsWith(PREFIX);
  }
}
