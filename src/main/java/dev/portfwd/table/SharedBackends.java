package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.BackendSpec;
import dev.portfwd.model.Forward;
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
 * A {@code masquerade=no} forward may not share a backend address, protocol and port with a {@code
 * snat=} forward, nor may two {@code snat=} forwards of different source addresses share one.
 * Postrouting sees only the translated connection, so both kernel backends choose the source
 * translation by the backend's address and port: the {@code masquerade=no} line's connections would
 * be translated to the {@code snat=} address too, and the backend would no longer see its clients.
 * (A {@code masquerade=yes} line sharing one is translated to the {@code snat=} address instead of
 * the gateway's own: its replies still come back through the gateway, so it is allowed.) For two
 * {@code snat=} addresses on one backend port, one of them would silently win. The error stands on
 * the later line, at its backend column (at its {@code snat=} option when the two differ in source
 * address), and names the earlier one.
 *
 * <p>Backends written as names are known only once resolved: the compiler checks what they resolved
 * to ({@code Compiler}, without the source line); here only address literals are checked. Sorted
 * and swept per backend address and protocol, as {@link TableValidator} does with external ports,
 * so a table of a million lines is checked in O(n log n) (times the few distinct snat= addresses).
 */
final class SharedBackends {

  private static final String WHY =
      ", and the kernel chooses the source translation by the backend's address and port alone"
          + " (give one of them another backend port, or both the same snat=)";

  private SharedBackends() {}

  private record Key(InetAddress address, Protocol protocol) {
    // Written out: the generated ones bootstrap method handles, costly once per cold apply.
    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && protocol == k.protocol && address.equals(k.address);
    }

    @Override
    public int hashCode() {
      return address.hashCode() * 31 + protocol.hashCode();
    }
  }

  /** Hands {@code report} one {@link LineCap} per line that shares a backend it may not. */
  static void validate(String source, List<LocatedForward> forwards, Consumer<LineCap> report) {
    if (forwards.stream().noneMatch(l -> l.forward().snat().isPresent())) {
      return; // the usual table
    }
    Map<Key, List<LocatedForward>> byBackend = new HashMap<>();
    for (LocatedForward located : forwards) {
      Forward forward = located.forward();
      if (forward.snat().isEmpty() && forward.masquerade()) {
        continue;
      }
      for (BackendSpec spec : forward.pool().written()) {
        for (Protocol protocol : forward.protocolList()) {
          spec.address()
              .ifPresent(
                  address ->
                      byBackend
                          .computeIfAbsent(new Key(address, protocol), k -> new ArrayList<>())
                          .add(located));
        }
      }
    }
    // Each conflict as two line numbers, (later << 32 | earlier), so that sorting groups by line.
    long[] pairs = new long[16];
    int count = 0;
    for (List<LocatedForward> group : byBackend.values()) {
      group.sort(
          Comparator.comparingInt((LocatedForward l) -> l.forward().backendPorts().first())
              .thenComparingInt(l -> l.forward().line()));
      // Of the lines before, the one of each kind reaching furthest (of snat= lines, one per source
      // address): if it does not overlap the current line, no earlier line of its kind does.
      Map<InetAddress, Forward> widestSnat = new HashMap<>();
      Forward widestKept = null;
      for (LocatedForward located : group) {
        Forward current = located.forward();
        Optional<InetAddress> translatedTo = current.snat();
        List<Forward> others = new ArrayList<>(2);
        if (translatedTo.isPresent()) {
          others.add(widestKept);
          widestSnat.forEach(
              (address, widest) -> {
                if (!address.equals(translatedTo.get())) {
                  others.add(widest);
                }
              });
        } else {
          others.addAll(widestSnat.values());
        }
        for (Forward other : others) {
          if (other != null && other.backendPorts().overlaps(current.backendPorts())) {
            if (count == pairs.length) {
              pairs = Arrays.copyOf(pairs, count * 2);
            }
            pairs[count++] =
                ((long) Math.max(other.line(), current.line()) << 32)
                    | Math.min(other.line(), current.line());
          }
        }
        if (translatedTo.isPresent()) {
          widestSnat.put(translatedTo.get(), widest(widestSnat.get(translatedTo.get()), current));
        } else {
          widestKept = widest(widestKept, current);
        }
      }
    }
    Arrays.sort(pairs, 0, count);
    for (int i = 0; i < count; ) {
      int later = (int) (pairs[i] >>> 32);
      LineCap line = new LineCap();
      for (long previous = -1; i < count && (int) (pairs[i] >>> 32) == later; i++) {
        if (pairs[i] != previous) {
          previous = pairs[i];
          line.add(
              conflict(
                  source,
                  TableValidator.byLine(forwards, (int) pairs[i]),
                  TableValidator.byLine(forwards, later)));
        }
      }
      report.accept(line);
    }
  }

  private static Forward widest(Forward widest, Forward current) {
    return widest == null || current.backendPorts().last() > widest.backendPorts().last()
        ? current
        : widest;
  }

  private static Diagnostic conflict(String source, LocatedForward earlier, LocatedForward later) {
    Forward first = earlier.forward();
    Forward second = later.forward();
    List<String> protocols = new ArrayList<>();
    for (Protocol protocol : second.protocolList()) {
      if (first.carries(protocol)) {
        protocols.add(protocol.keyword());
      }
    }
    Optional<InetAddress> shared =
        second.pool().written().stream()
            .map(BackendSpec::address)
            .flatMap(Optional::stream)
            .filter(
                a ->
                    first.pool().written().stream()
                        .anyMatch(s -> s.address().equals(Optional.of(a))))
            .findFirst();
    int from = Math.max(first.backendPorts().first(), second.backendPorts().first());
    int to = Math.min(first.backendPorts().last(), second.backendPorts().last());
    String backend =
        "backend "
            + shared.map(Addresses::format).orElse("?")
            + " port "
            + (from == to ? Integer.toString(from) : from + "-" + to)
            + "/"
            + String.join(",", protocols);
    if (first.snat().isPresent() && second.snat().isPresent()) {
      String message =
          "snat="
              + Addresses.format(second.snat().get())
              + " cannot take "
              + backend
              + ": line "
              + first.line()
              + " translates it to snat="
              + Addresses.format(first.snat().get())
              + WHY;
      return new Diagnostic(
          source, second.line(), later.snatColumn(), Severity.ERROR, message, later.sourceLine());
    }
    Forward withSnat = first.snat().isPresent() ? first : second;
    String message =
        (second == withSnat
                ? "snat=" + Addresses.format(withSnat.snat().get()) + " cannot take " + backend
                : "masquerade=no cannot keep the clients' address on " + backend)
            + ": line "
            + first.line()
            + (second == withSnat
                ? " forwards to it with masquerade=no"
                : " translates it to snat=" + Addresses.format(withSnat.snat().get()))
            + WHY;
    return new Diagnostic(
        source, second.line(), later.backendColumn(), Severity.ERROR, message, later.sourceLine());
  }
}
