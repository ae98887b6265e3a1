package dev.portfwd.state;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.ForwardingSysctls;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a recorded state before anything restores it, as a table is checked before it is applied:
 * every line a forward portfwd could have compiled (ports, addresses of one IP version, a backend
 * that one host can have, a description of one line), no two forwards claiming the same external
 * address, protocol and port, and no sysctl but the two forwarding ones. A state file is data that
 * root puts into the kernel; it gets no more trust than a table does.
 */
final class StateValidator {

  /** The only sysctls a state may name: those portfwd switches on and off. */
  static final Set<String> SYSCTLS = Set.of(ForwardingSysctls.IPV4, ForwardingSysctls.IPV6);

  /** Line 1 of a state file is its header; forward {@code i} is on line {@code i + 2}. */
  private static final int FIRST_FORWARD_LINE = 2;

  private StateValidator() {}

  /**
   * @throws IllegalArgumentException when {@code keys} names another sysctl than the forwarding
   *     ones
   */
  static void requireForwardingSysctls(String field, Collection<String> keys) {
    for (String key : keys) {
      if (!SYSCTLS.contains(key)) {
        throw new IllegalArgumentException(
            "'" + field + "' names " + key + ", which is not a forwarding sysctl");
      }
    }
  }

  /**
   * The forwards of {@code snapshot}, checked.
   *
   * @throws IllegalArgumentException naming the file line of the first problem
   */
  static DesiredState validate(Snapshot snapshot) {
    requireForwardingSysctls("forwardingOn", snapshot.forwardingOn());
    List<String> lines = snapshot.lines();
    List<CompiledForward> forwards = new ArrayList<>(lines.size());
    // By identity: two equal forwards on two lines are a clash between those lines.
    Map<CompiledForward, Integer> lineOf = new IdentityHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      int line = i + FIRST_FORWARD_LINE;
      CompiledForward forward;
      try {
        forward = ForwardLine.parse(lines.get(i));
      } catch (IllegalArgumentException e) {
        throw problem(line, e.getMessage());
      }
      requireOneHost(line, forward.backend());
      if (forward.description().indexOf('\n') >= 0 || forward.description().indexOf('\r') >= 0) {
        throw problem(line, "a description is one line");
      }
      forwards.add(forward);
      lineOf.put(forward, line);
    }
    requireNoClash(forwards, lineOf);
    return new DesiredState(forwards);
  }

  /** What the table's backend column refuses: addresses no single host can have. */
  private static void requireOneHost(int line, InetAddress backend) {
    if (backend.isAnyLocalAddress()
        || backend.isMulticastAddress()
        || Addresses.format(backend).equals("255.255.255.255")) {
      throw problem(line, "backend " + Addresses.format(backend) + " is not the address of a host");
    }
  }

  /** The claim two forwards must share to clash, as the table validator groups them. */
  private record Claim(IpFamily family, Optional<InetAddress> address, Protocol protocol) {}

  /** No two forwards of one claim may overlap in their external ports. */
  private static void requireNoClash(
      List<CompiledForward> forwards, Map<CompiledForward, Integer> lineOf) {
    Map<Claim, List<CompiledForward>> byClaim = new HashMap<>();
    for (CompiledForward f : forwards) {
      byClaim
          .computeIfAbsent(
              new Claim(f.family(), f.externalAddress(), f.protocol()), k -> new ArrayList<>())
          .add(f);
    }
    for (List<CompiledForward> group : byClaim.values()) {
      group.sort(Comparator.comparingInt(f -> f.externalPorts().first()));
      CompiledForward widest = null;
      for (CompiledForward current : group) {
        if (widest != null && widest.externalPorts().overlaps(current.externalPorts())) {
          int earlier = Math.min(lineOf.get(widest), lineOf.get(current));
          int later = Math.max(lineOf.get(widest), lineOf.get(current));
          throw problem(
              later,
              "port "
                  + current.externalPorts()
                  + "/"
                  + current.protocol().keyword()
                  + current.externalAddress().map(a -> " on " + Addresses.format(a)).orElse("")
                  + " is already forwarded by line "
                  + earlier);
        }
        if (widest == null || current.externalPorts().last() > widest.externalPorts().last()) {
          widest = current;
        }
      }
    }
  }

  private static IllegalArgumentException problem(int line, String message) {
    return new IllegalArgumentException("line " + line + ": " + message);
  }
}
