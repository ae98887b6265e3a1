package dev.portfwd.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows a packet through a chain and the chains it jumps to, the way the kernel would, as far as
 * the rules can be decided from the gateway. Jumps are followed at most {@link #MAX_DEPTH} deep, so
 * a loop in someone's ruleset cannot hang doctor.
 */
final class ChainWalker {

  static final int MAX_DEPTH = 16;

  private final Firewall firewall;

  ChainWalker(Firewall firewall) {
    this.firewall = firewall;
  }

  /** Where a packet ends up in a base chain. */
  record Outcome(Kind kind, Optional<FirewallRule> rule, Optional<FirewallRule> maybeAccept) {
    enum Kind {
      ACCEPTED,
      /** Dropped by {@code rule}, or by the chain's policy when {@code rule} is empty. */
      DROPPED,
      /** Left the chain with no verdict (regular chains only). */
      FELL_THROUGH
    }

    /** True when a rule that may accept the packet (doctor cannot tell) comes before the drop. */
    boolean uncertain() {
      return maybeAccept.isPresent();
    }
  }

  /** Where {@code packet} ends up in base chain {@code chain}, the policy applied at the end. */
  Outcome filter(FirewallChain chain, Packet packet) {
    Outcome outcome = walk(chain, packet, 0, new Holder());
    if (outcome.kind() == Outcome.Kind.FELL_THROUGH) {
      boolean drops = chain.policy().map("drop"::equals).orElse(false);
      return new Outcome(
          drops ? Outcome.Kind.DROPPED : Outcome.Kind.ACCEPTED,
          Optional.empty(),
          outcome.maybeAccept());
    }
    return outcome;
  }

  private static final class Holder {
    Optional<FirewallRule> maybeAccept = Optional.empty();
  }

  private Outcome walk(FirewallChain chain, Packet packet, int depth, Holder holder) {
    if (depth > MAX_DEPTH) {
      return new Outcome(Outcome.Kind.FELL_THROUGH, Optional.empty(), holder.maybeAccept);
    }
    for (FirewallRule rule : chain.rules()) {
      Tri matches = rule.test(packet);
      if (matches == Tri.NO) {
        continue;
      }
      switch (rule.verdict().kind()) {
        case ACCEPT -> {
          if (matches == Tri.YES) {
            return new Outcome(Outcome.Kind.ACCEPTED, Optional.of(rule), holder.maybeAccept);
          }
          if (holder.maybeAccept.isEmpty()) {
            holder.maybeAccept = Optional.of(rule);
          }
        }
        case DROP -> {
          if (matches == Tri.YES) {
            return new Outcome(Outcome.Kind.DROPPED, Optional.of(rule), holder.maybeAccept);
          }
        }
        case JUMP, GOTO -> {
          Optional<FirewallChain> target =
              rule.verdict().target().flatMap(t -> firewall.sibling(chain, t));
          if (target.isPresent()) {
            if (matches == Tri.YES) {
              Outcome inner = walk(target.get(), packet, depth + 1, holder);
              if (inner.kind() != Outcome.Kind.FELL_THROUGH) {
                return inner;
              }
            } else {
              // A jump that may or may not happen: only an accept inside it can matter (softening
              // a later drop); a drop inside it is not proven.
              Holder probe = new Holder();
              Outcome inner = walk(target.get(), packet, depth + 1, probe);
              if (inner.kind() == Outcome.Kind.ACCEPTED && holder.maybeAccept.isEmpty()) {
                holder.maybeAccept = Optional.of(rule);
              }
            }
          }
        }
        case RETURN -> {
          if (matches == Tri.YES) {
            return new Outcome(Outcome.Kind.FELL_THROUGH, Optional.empty(), holder.maybeAccept);
          }
        }
        case DNAT, CONTINUE -> {
          // No verdict for filtering.
        }
      }
    }
    return new Outcome(Outcome.Kind.FELL_THROUGH, Optional.empty(), holder.maybeAccept);
  }

  /** A DNAT rule a packet may reach, and whether it surely matches. */
  record Catch(FirewallChain chain, FirewallRule rule, Tri matches) {}

  /**
   * The DNAT rules of nat base chain {@code chain} (and chains it jumps to) that may take {@code
   * packet}, in order, ending with the first that surely does.
   */
  List<Catch> dnatCatches(FirewallChain chain, Packet packet) {
    List<Catch> catches = new ArrayList<>();
    collect(chain, packet, 0, catches);
    return catches;
  }

  /** Returns true when the walk ended (a sure DNAT or accept). */
  private boolean collect(FirewallChain chain, Packet packet, int depth, List<Catch> catches) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    for (FirewallRule rule : chain.rules()) {
      Tri matches = rule.test(packet);
      if (matches == Tri.NO) {
        continue;
      }
      switch (rule.verdict().kind()) {
        case DNAT -> {
          catches.add(new Catch(chain, rule, matches));
          if (matches == Tri.YES) {
            return true;
          }
        }
        case ACCEPT, DROP -> {
          if (matches == Tri.YES) {
            return true;
          }
        }
        case JUMP, GOTO -> {
          Optional<FirewallChain> target =
              rule.verdict().target().flatMap(t -> firewall.sibling(chain, t));
          if (target.isPresent()) {
            List<Catch> inner = new ArrayList<>();
            boolean ended = collect(target.get(), packet, depth + 1, inner);
            for (Catch c : inner) {
              catches.add(new Catch(c.chain(), c.rule(), c.matches().and(matches)));
            }
            if (ended && matches == Tri.YES) {
              return true;
            }
          }
        }
        case RETURN -> {
          if (matches == Tri.YES) {
            return false;
          }
        }
        case CONTINUE -> {}
      }
    }
    return false;
  }
}
