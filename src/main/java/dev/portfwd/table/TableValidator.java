package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  static List<Diagnostic> validate(String source, List<LocatedForward> forwards) {
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
    // One message per pair of lines, even when they clash on both tcp and udp.
    Map<Long, Diagnostic> clashes = new HashMap<>();
    for (Map.Entry<Claim, List<LocatedForward>> entry : byClaim.entrySet()) {
      List<LocatedForward> group = entry.getValue();
      group.sort(
          Comparator.comparingInt((LocatedForward l) -> l.forward().externalPorts().first())
              .thenComparingInt(l -> l.forward().line()));
      LocatedForward widest = null;
      for (LocatedForward current : group) {
        if (widest != null
            && widest.forward().externalPorts().overlaps(current.forward().externalPorts())) {
          LocatedForward earlier =
              widest.forward().line() < current.forward().line() ? widest : current;
          LocatedForward later = earlier == widest ? current : widest;
          long pair = ((long) later.forward().line() << 32) | earlier.forward().line();
          clashes.computeIfAbsent(pair, p -> clash(source, earlier, later));
        }
        if (widest == null
            || current.forward().externalPorts().last() > widest.forward().externalPorts().last()) {
          widest = current;
        }
      }
    }
    return new ArrayList<>(clashes.values());
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
