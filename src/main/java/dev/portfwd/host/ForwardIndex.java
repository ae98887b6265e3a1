package dev.portfwd.host;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Forwards looked up by what a conntrack entry's original direction shows: family, protocol,
 * destination address and port. Per family, protocol and external address (or none), the port line
 * is cut at every range's first port and after its last, and each piece lists the forwards covering
 * it; a lookup is two floor searches. Built in O(n log n) for n forwards whose ranges do not
 * overlap (a valid table's do not), so matching E entries costs O(E log n), not O(E × n).
 */
final class ForwardIndex {

  private record Key(IpFamily family, Protocol protocol, Optional<InetAddress> address) {}

  private final Map<Key, TreeMap<Integer, List<CompiledForward>>> pieces = new HashMap<>();

  ForwardIndex(Collection<CompiledForward> forwards) {
    Map<Key, List<CompiledForward>> byKey = new HashMap<>();
    for (CompiledForward forward : forwards) {
      byKey
          .computeIfAbsent(
              new Key(forward.family(), forward.protocol(), forward.externalAddress()),
              k -> new ArrayList<>())
          .add(forward);
    }
    byKey.forEach((key, group) -> pieces.put(key, cut(group)));
  }

  private static TreeMap<Integer, List<CompiledForward>> cut(List<CompiledForward> group) {
    NavigableSet<Integer> starts = new TreeSet<>();
    for (CompiledForward forward : group) {
      starts.add(forward.externalPorts().first());
      starts.add(forward.externalPorts().last() + 1);
    }
    TreeMap<Integer, List<CompiledForward>> pieces = new TreeMap<>();
    starts.forEach(start -> pieces.put(start, new ArrayList<>(1)));
    for (CompiledForward forward : group) {
      for (int start :
          starts.subSet(
              forward.externalPorts().first(), true, forward.externalPorts().last(), true)) {
        pieces.get(start).add(forward);
      }
    }
    return pieces;
  }

  /**
   * The forwards of {@code family} and {@code protocol} whose external ports hold {@code port} and
   * that listen on {@code destination} (those bound to it and those bound to no address).
   */
  List<CompiledForward> at(IpFamily family, Protocol protocol, InetAddress destination, int port) {
    List<CompiledForward> bound = lookup(new Key(family, protocol, Optional.of(destination)), port);
    List<CompiledForward> any = lookup(new Key(family, protocol, Optional.empty()), port);
    if (bound.isEmpty()) {
      return any;
    }
    if (any.isEmpty()) {
      return bound;
    }
    List<CompiledForward> both = new ArrayList<>(bound);
    both.addAll(any);
    return both;
  }

  private List<CompiledForward> lookup(Key key, int port) {
    TreeMap<Integer, List<CompiledForward>> line = pieces.get(key);
    if (line == null) {
      return List.of();
    }
    Map.Entry<Integer, List<CompiledForward>> piece = line.floorEntry(port);
    return piece == null ? List.of() : piece.getValue();
  }
}
