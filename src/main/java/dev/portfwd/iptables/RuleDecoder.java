package dev.portfwd.iptables;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.SnatBlock;
import dev.portfwd.compile.Spread;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Balance;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads portfwd's nat chains of one family back into forwards, the inverse of {@link RuleRenderer}:
 * DNAT rules give where a forward listens and sends (rules of one forward with several allowed
 * blocks are joined), the comment its description, and the MASQUERADE rules of {@code
 * PORTFWD-POSTROUTING} whether it masquerades. Rules it does not recognise are skipped: the plan
 * then sees chains that differ from the rendered ones and rewrites them.
 *
 * <p>Counters: nat rules see only the first packet of each connection, so a forward's packets and
 * bytes here count connections opened through it (and their first packets' bytes).
 */
final class RuleDecoder {

  private RuleDecoder() {}

  /** The forwards in {@code nat} (a table of {@code family}) with their DNAT rules' counters. */
  static List<LiveForward> decode(IpFamily family, SavedTable nat) {
    Map<CompiledForward.Key, Partial> byKey = new LinkedHashMap<>();
    for (SavedTable.Rule rule : nat.rules(Chains.DNAT)) {
      Map<String, String> options = options(rule.words());
      if (!"DNAT".equals(options.get("-j"))) {
        continue;
      }
      try {
        Partial partial = parse(family, options);
        Partial existing = byKey.putIfAbsent(partial.forward.key(), partial);
        Partial into = existing == null ? partial : existing;
        if (existing != null && existing.balance != null) {
          // The next backend of a spread forward, or its rules for the next source block.
          if (!into.backends.contains(partial.forward.backend())) {
            into.backends.add(partial.forward.backend());
          }
          partial.sources.stream()
              .filter(s -> !into.sources.contains(s))
              .forEach(into.sources::add);
        } else if (existing != null) {
          into.sources.addAll(partial.sources);
        }
        into.packets += rule.packets();
        into.bytes += rule.bytes();
        into.count(partial.forward.backend(), rule.packets(), rule.bytes());
      } catch (RuntimeException unreadable) {
        // Not a rule portfwd writes; the plan rewrites the chain.
      }
    }
    List<BackendTargets.Target> masquerading = masquerading(family, nat);
    List<SnatBlock> snat = SnatRules.decode(family, nat);
    List<LiveForward> forwards = new ArrayList<>();
    for (Partial p : byKey.values()) {
      CompiledForward f = p.forward;
      CompiledForward complete =
          new CompiledForward(
              f.family(),
              f.externalAddress(),
              f.protocol(),
              f.externalPorts(),
              f.backend(),
              f.backendPorts(),
              p.sources,
              false,
              f.description(),
              Optional.empty(),
              p.backends.size() < 2
                  ? Optional.empty()
                  : Optional.of(new Spread(p.balance, p.backends)));
      boolean masquerade = masquerading.stream().anyMatch(t -> t.covers(complete));
      Optional<InetAddress> source =
          SnatBlock.sourceFor(
              snat, family, complete.backend(), complete.protocol(), complete.backendPorts());
      List<LiveForward.BackendCounter> each = new ArrayList<>();
      if (p.backends.size() > 1) {
        for (InetAddress backend : p.backends) {
          long[] c = p.perBackend.get(backend);
          each.add(new LiveForward.BackendCounter(backend, c[0], c[1]));
        }
      }
      forwards.add(
          new LiveForward(
              complete.withMasquerade(masquerade).withSnat(source), p.packets, p.bytes, -1, each));
    }
    return forwards;
  }

  private static final class Partial {
    final CompiledForward forward;
    final List<Cidr> sources = new ArrayList<>();
    final List<InetAddress> backends = new ArrayList<>();
    // Set when the rule spreads over several backends (statistic or cluster): later rules of the
    // same forward add backends, not source blocks.
    Balance balance;
    long packets;
    long bytes;
    final Map<InetAddress, long[]> perBackend = new HashMap<>();

    void count(InetAddress backend, long rulePackets, long ruleBytes) {
      long[] c = perBackend.computeIfAbsent(backend, k -> new long[2]);
      c[0] += rulePackets;
      c[1] += ruleBytes;
    }

    Partial(CompiledForward forward, Optional<Cidr> source, Balance balance) {
      this.forward = forward;
      this.balance = balance;
      source.ifPresent(sources::add);
      backends.add(forward.backend());
    }
  }

  private static Partial parse(IpFamily family, Map<String, String> o) {
    Protocol protocol = Protocol.fromKeyword(o.get("-p")).orElseThrow();
    PortRange external = ports(o.get("--dport"));
    Optional<InetAddress> externalAddress = Optional.ofNullable(o.get("-d")).map(RuleDecoder::host);
    String to = o.get("--to-destination");
    InetAddress backend;
    PortRange backendPorts;
    String portPart = null;
    if (to.startsWith("[")) {
      int close = to.indexOf(']');
      backend = address(to.substring(1, close));
      if (close + 1 < to.length()) {
        portPart = to.substring(close + 2);
      }
    } else if (family == IpFamily.IPV4 && to.indexOf(':') >= 0) {
      backend = address(to.substring(0, to.indexOf(':')));
      portPart = to.substring(to.indexOf(':') + 1);
    } else {
      backend = address(to);
    }
    if (portPart == null) {
      backendPorts = external;
    } else {
      String range =
          portPart.contains("/") ? portPart.substring(0, portPart.indexOf('/')) : portPart;
      int dash = range.indexOf('-');
      backendPorts =
          dash < 0
              ? PortRange.of(Integer.parseInt(range))
              : new PortRange(
                  Integer.parseInt(range.substring(0, dash)),
                  Integer.parseInt(range.substring(dash + 1)));
    }
    Optional<Cidr> source = Optional.ofNullable(o.get("-s")).map(RuleDecoder::cidr);
    CompiledForward forward =
        new CompiledForward(
            family,
            externalAddress,
            protocol,
            external,
            backend,
            backendPorts,
            List.of(),
            true,
            o.getOrDefault("--comment", ""));
    Balance balance =
        o.containsKey("--cluster-total-nodes")
            ? Balance.HASH
            : "nth".equals(o.get("--mode")) ? Balance.ROUNDROBIN : null;
    return new Partial(forward, source, balance);
  }

  private static List<BackendTargets.Target> masquerading(IpFamily family, SavedTable nat) {
    List<BackendTargets.Target> targets = new ArrayList<>();
    for (SavedTable.Rule rule : nat.rules(Chains.POSTROUTING)) {
      Map<String, String> o = options(rule.words());
      try {
        if ("MASQUERADE".equals(o.get("-j"))) {
          targets.add(
              new BackendTargets.Target(
                  family,
                  host(o.get("-d")),
                  Protocol.fromKeyword(o.get("-p")).orElseThrow(),
                  ports(o.get("--dport"))));
        }
      } catch (RuntimeException unreadable) {
        // Not portfwd's; the plan rewrites the chain.
      }
    }
    return targets;
  }

  /** Option → its value for the options portfwd writes ({@code -m} names are not needed). */
  static Map<String, String> options(List<String> words) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < words.size(); i++) {
      String word = words.get(i);
      // A comment is free text and may itself start with a dash.
      if (word.equals("--comment")
          || word.startsWith("-") && !word.equals("-m") && !words.get(i + 1).startsWith("-")) {
        options.put(word, words.get(i + 1));
        i++;
      }
    }
    return options;
  }

  static PortRange ports(String text) {
    int colon = text.indexOf(':');
    return colon < 0
        ? PortRange.of(Integer.parseInt(text))
        : new PortRange(
            Integer.parseInt(text.substring(0, colon)),
            Integer.parseInt(text.substring(colon + 1)));
  }

  /** An address written with or without a host prefix length ({@code 192.0.2.2/32}). */
  static InetAddress host(String text) {
    Cidr cidr = cidr(text);
    if (cidr.prefixLength() != cidr.network().getAddress().length * 8) {
      throw new IllegalArgumentException("not a single address: " + text);
    }
    return cidr.network();
  }

  static Cidr cidr(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Cidr.host(address(text));
    }
    return new Cidr(address(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
  }

  private static InetAddress address(String text) {
    return Addresses.parse(text)
        .orElseThrow(() -> new IllegalArgumentException("not an address: " + text));
  }
}
