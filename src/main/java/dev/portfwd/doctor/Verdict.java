package dev.portfwd.doctor;

import java.util.Optional;

/**
 * What a firewall rule does when it matches, reduced to what matters for forwarding.
 *
 * @param target the chain for {@link Kind#JUMP} and {@link Kind#GOTO}; for {@link Kind#DNAT} the
 *     destination when the rule shows it ({@code 172.17.0.2:80}), else empty
 */
record Verdict(Kind kind, Optional<String> target) {

  enum Kind {
    /** The packet is accepted by this chain (other base chains on the hook still see it). */
    ACCEPT,
    /** Dropped or rejected. */
    DROP,
    JUMP,
    GOTO,
    RETURN,
    /** Destination NAT or redirect: in a nat chain, the connection is taken. */
    DNAT,
    /** No verdict (counter, log, mark, masquerade in postrouting): the next rule follows. */
    CONTINUE
  }

  static Verdict of(Kind kind) {
    return new Verdict(kind, Optional.empty());
  }

  static Verdict to(Kind kind, String target) {
    return new Verdict(kind, Optional.of(target));
  }
}
