package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Checks that need the whole table: no two forwards may claim the same external address, protocol
 * and port (overlapping ranges included). The error stands on the later line and names the earlier
 * one.
 *
 * <p>A line that names an external address and one that does not never clash: the named address is
 * the more specific match and wins for traffic to it (the kernel backends look it up first).
 * Address-less forwards clash per IP version of their backend, since that is the traffic they
 * catch.
 *
 * <p>Runs in O(n log n): forwards are grouped by claim and swept in port order, so a 100,000-line
 * table validates in well under a second.
 */
final class TableValidator {

  private TableValidator() {}

  /** The key two forwards must share to clash. */
  private record Claim(Optional<InetAddress> address, IpFamily family, Protocol protocol) {
    // Written out: the generated ones bootstrap method handles, costly once per cold apply.
    @Override
    public boolean equals(Object other) {
      return other instanceof Claim c
          && family == c.family
          && protocol == c.protocol
          && address.equals(c.address);
    }

    @Override
    public int hashCode() {
      return (address.hashCode() * 31 + family.hashCode()) * 31 + protocol.hashCode();
    }
  }

  /**
   * Finds every clash in {@code forwards} (in line order) and hands {@code report} one {@link
   * LineCap} per line that clashes, in line order. A clash is kept as two indices until its message
   * is needed, and a line builds the messages of only as many as it shows.
   */
  static void validate(String source, List<LocatedForward> forwards, Consumer<LineCap> report) {
    Map<Claim, List<LocatedForward>> byClaim = new HashMap<>();
    for (LocatedForward located : forwards) {
      Forward forward = located.forward();
      IpFamily family = forward.externalAddress().map(IpFamily::of).orElse(forward.family());
      for (Protocol protocol : forward.protocolList()) {
        byClaim
            .computeIfAbsent(
                new Claim(forward.externalAddress(), family, protocol), k -> new ArrayList<>())
            .add(located);
      }
    }
    // Each clash as two line numbers, (later << 32 | earlier), so that sorting groups by line.
    long[] pairs = new long[16];
    int count = 0;
    for (List<LocatedForward> group : byClaim.values()) {
      group.sort(
          Comparator.comparingInt((LocatedForward l) -> l.forward().externalPorts().first())
              .thenComparingInt(l -> l.forward().line()));
      Forward widest = null;
      for (LocatedForward located : group) {
        Forward current = located.forward();
        if (widest != null && widest.externalPorts().overlaps(current.externalPorts())) {
          if (count == pairs.length) {
            pairs = Arrays.copyOf(pairs, count * 2);
          }
          pairs[count++] =
              ((long) Math.max(widest.line(), current.line()) << 32)
                  | Math.min(widest.line(), current.line());
        }
        if (widest == null || current.externalPorts().last() > widest.externalPorts().last()) {
          widest = current;
        }
      }
    }
    Arrays.sort(pairs, 0, count);
    // One message per pair of lines, even when they clash on both tcp and udp.
    for (int i = 0; i < count; ) {
      int later = (int) (pairs[i] >>> 32);
      LineCap line = new LineCap();
      int built = 0;
      for (long previous = -1; i < count && (int) (pairs[i] >>> 32) == later; i++) {
        if (pairs[i] == previous) {
          continue;
        }
        previous = pairs[i];
        // All clashes of a line share its place: beyond the ones shown and the first hidden one,
        // counting them is enough.
        if (built++ <= LineCap.MAX_PER_LINE) {
          line.add(clash(source, byLine(forwards, (int) pairs[i]), byLine(forwards, later)));
        } else {
          line.addHiddenErrors(1);
        }
      }
      report.accept(line);
    }
  }

  /** The forward of {@code line} in {@code forwards}, which are in line order. */
  static LocatedForward byLine(List<LocatedForward> forwards, int line) {
    int low = 0;
    int high = forwards.size() - 1;
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (forwards.get(middle).forward().line() < line) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return forwards.get(low);
  }

  private static Diagnostic clash(String source, LocatedForward earlier, LocatedForward later) {
    Forward first = earlier.forward();
    Forward second = later.forward();
    List<String> shared = new ArrayList<>();
    for (Protocol protocol : second.protocolList()) {
      if (first.carries(protocol)) {
        shared.add(protocol.keyword());
      }
    }
    int from = Math.max(first.externalPorts().first(), second.externalPorts().first());
    int to = Math.min(first.externalPorts().last(), second.externalPorts().last());
    String ports = from == to ? Integer.toString(from) : from + "-" + to;
    String where = second.externalAddress().map(a -> " on " + Addresses.format(a)).orElse("");
    String message =
        "port "
            + ports
            + "/"
            + String.join(",", shared)
            + where
            + " is already forwarded by line "
            + first.line()
            + " ("
            + first.externalText()
            + " -> "
            + first.backendText()
            + ")";
    return new Diagnostic(
        source, second.line(), later.externalColumn(), Severity.ERROR, message, later.sourceLine());
  }
}
