package dev.portfwd.state;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One state portfwd put the host in: the forwards installed and the forwarding sysctls that are on
 * because portfwd switched them on (not those an administrator had on already, which a rollback
 * must leave alone). Forwards are kept as {@link ForwardLine}s in canonical order, so recording and
 * comparing 50,000 of them is cheap; {@link #forwards()} parses them when needed.
 *
 * @param source the table file it came from, or a phrase such as {@code live state before apply}
 * @param backend the backend that installed it ({@code nftables}, {@code iptables})
 * @param lines the forwards, one {@link ForwardLine} each, in {@link CompiledForward#ORDER}
 * @param forwardingOn sysctl keys such as {@code net.ipv4.ip_forward} that portfwd switched on
 */
public record Snapshot(
    String source,
    Instant appliedAt,
    String backend,
    List<String> lines,
    Set<String> forwardingOn) {

  public Snapshot {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(appliedAt, "appliedAt");
    Objects.requireNonNull(backend, "backend");
    lines = List.copyOf(lines);
    forwardingOn = Set.copyOf(new TreeSet<>(forwardingOn));
  }

  /** The snapshot of {@code forwards}. */
  public static Snapshot of(
      String source,
      Instant appliedAt,
      String backend,
      DesiredState forwards,
      Set<String> forwardingOn) {
    return new Snapshot(source, appliedAt, backend, lines(forwards), forwardingOn);
  }

  static List<String> lines(DesiredState forwards) {
    return forwards.forwards().stream().map(ForwardLine::format).toList();
  }

  /**
   * The forwards, parsed back.
   *
   * @throws IllegalArgumentException when a line is damaged
   */
  public DesiredState forwards() {
    return new DesiredState(lines.stream().map(ForwardLine::parse).toList());
  }

  public boolean isEmpty() {
    return lines.isEmpty();
  }

  /** True when both hold the same forwards as the kernel sees them (see {@link #sameForwards}). */
  public boolean sameForwardsAs(List<String> otherLines) {
    return sameForwards(lines, otherLines);
  }

  /** Line by line {@link ForwardLine#sameInKernel}: descriptions cut by a backend still match. */
  static boolean sameForwards(List<String> a, List<String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!ForwardLine.sameInKernel(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** {@code 3 forwards from /etc/portfwd/ports.txt (nftables)}. */
  public String describe() {
    int n = lines.size();
    return n + " forward" + (n == 1 ? "" : "s") + " from " + source + " (" + backend + ")";
  }
}
