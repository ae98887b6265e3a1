package dev.portfwd.state;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One state portfwd put the host in: the forwards installed and the forwarding sysctls that are
 * on because portfwd switched them on (not those an administrator had on already, which a
 * rollback must leave alone).
 *
 * @param source the table file it came from, or a phrase such as {@code live state before apply}
 * @param backend the backend that installed it ({@code nftables}, {@code iptables})
 * @param forwardingOn sysctl keys such as {@code net.ipv4.ip_forward} that portfwd switched on
 */
public record Snapshot(String source, Instant appliedAt, String backend, DesiredState forwards, Set<String> forwardingOn) {

  public Snapshot {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(appliedAt, "appliedAt");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(forwards, "forwards");
    forwardingOn = Set.copyOf(new TreeSet<>(forwardingOn));
  }

  /** True when both install the same forwards and hold the same sysctls on. */
  public boolean sameStateAs(Snapshot other) {
    return forwardingOn.equals(other.forwardingOn) && sameForwards(forwards, other.forwards);
  }

  /**
   * Compares forwards as the kernel holds them: backends cut descriptions to their comment limit,
   * so a description that is a prefix of the other counts as the same.
   */
  public static boolean sameForwards(DesiredState a, DesiredState b) {
    List<CompiledForward> left = a.forwards();
    List<CompiledForward> right = b.forwards();
    if (left.size() != right.size()) {
      return false;
    }
    for (int i = 0; i < left.size(); i++) {
      CompiledForward x = left.get(i);
      CompiledForward y = right.get(i);
      String dx = x.description();
      String dy = y.description();
      boolean descriptionsAgree = dx.startsWith(dy) || dy.startsWith(dx);
      if (!descriptionsAgree || !x.withDescription("").equals(y.withDescription(""))) {
        return false;
      }
    }
    return true;
  }

  /** {@code 3 forwards from /etc/portfwd/ports.txt (nftables)}. */
  public String describe() {
    int n = forwards.forwards().size();
    return n + " forward" + (n == 1 ? "" : "s") + " from " + source + " (" + backend + ")";
  }
}
