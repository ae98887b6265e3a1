package dev.portfwd.iptables;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.SnatBlock;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Balance;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the forwards of one IP family into the rules of portfwd's chains, per table, spelled the
 * way {@code iptables-save} prints them (so a dump compares word for word with what was written).
 *
 * <p>Lookup order in {@code PORTFWD-DNAT}, first match wins because DNAT ends the chain: forwards
 * naming an external address, then forwards for any local address ({@code -m addrtype --dst-type
 * LOCAL}). A forward with {@code from=} has one DNAT rule per allowed block followed by a RETURN
 * for everyone else, so other sources neither reach it nor fall through to an address-less forward
 * on the same port. A shifted range is one rule with the kernel's port offset ({@code
 * --to-destination B:9000-9009/8000}: without the {@code /base} the kernel would spread connections
 * over the range instead of shifting).
 */
final class RuleRenderer {

  private RuleRenderer() {}

  /**
   * Table → chain → rules (words after {@code -A CHAIN}) for {@code forwards} of {@code family}.
   */
  static Map<String, Map<String, List<List<String>>>> render(
      IpFamily family, List<CompiledForward> forwards) {
    List<CompiledForward> mine = forwards.stream().filter(f -> f.family() == family).toList();
    // Masquerade and forward-accept rules are per backend tuple: a spread forward has several.
    List<CompiledForward> perBackend =
        mine.stream().flatMap(f -> f.eachBackend().stream()).toList();
    Map<String, List<List<String>>> nat = new LinkedHashMap<>();
    nat.put(Chains.PREROUTING, List.of(Chains.jump(Chains.DNAT)));
    nat.put(
        Chains.OUTPUT,
        List.of(
            List.of("-d", family == IpFamily.IPV4 ? "127.0.0.0/8" : "::1/128", "-j", "RETURN"),
            Chains.jump(Chains.DNAT)));
    List<List<String>> dnat = new ArrayList<>();
    for (boolean named : new boolean[] {true, false}) {
      for (CompiledForward f : mine) {
        if (f.externalAddress().isPresent() == named) {
          lookup(f, dnat);
        }
      }
    }
    nat.put(Chains.DNAT, dnat);
    List<List<String>> postrouting = new ArrayList<>(SnatRules.render(perBackend));
    for (BackendTargets.Target t :
        BackendTargets.of(SnatBlock.withoutSnat(perBackend), /* masqueradingOnly= */ true)) {
      postrouting.add(
          List.of(
              "-d",
              host(t.backend()),
              "-p",
              t.protocol().keyword(),
              "-m",
              t.protocol().keyword(),
              "--dport",
              ports(t.ports()),
              "-m",
              "conntrack",
              "--ctstate",
              "DNAT",
              "-j",
              "MASQUERADE"));
    }
    nat.put(Chains.POSTROUTING, postrouting);
    List<List<String>> forward = new ArrayList<>();
    for (BackendTargets.Target t : BackendTargets.of(perBackend, /* masqueradingOnly= */ false)) {
      forward.add(
          List.of(
              "-p",
              t.protocol().keyword(),
              "-m",
              "conntrack",
              "--ctstate",
              "DNAT",
              "--ctreplsrc",
              BackendTargets.address(t),
              "--ctreplsrcport",
              ports(t.ports()),
              "-j",
              "ACCEPT"));
    }
    Map<String, Map<String, List<List<String>>>> tables = new LinkedHashMap<>();
    tables.put(Chains.FILTER, Map.of(Chains.FORWARD, forward));
    tables.put(Chains.NAT, nat);
    return tables;
  }

  /** The DNAT rule(s) of one forward, and its RETURN when it is restricted. */
  private static void lookup(CompiledForward f, List<List<String>> rules) {
    List<Cidr> sources = f.isRestricted() ? f.allowedSources() : Collections.singletonList(null);
    for (Cidr source : sources) {
      if (f.spread().isPresent()) {
        spread(f, source, rules);
        continue;
      }
      List<String> rule = match(f, source);
      if (!f.description().isEmpty()) {
        rule.addAll(List.of("-m", "comment", "--comment", f.description()));
      }
      rule.addAll(List.of("-j", "DNAT", "--to-destination", destination(f)));
      rules.add(List.copyOf(rule));
    }
    if (f.isRestricted()) {
      List<String> refuse = match(f, null);
      refuse.addAll(List.of("-j", "RETURN"));
      rules.add(List.copyOf(refuse));
    }
  }

  /**
   * One DNAT rule per backend of a spread forward (per allowed source block: each block keeps its
   * own turn). Round robin: the rule of backend i takes every (N-i)th new connection that reaches
   * it ({@code statistic --mode nth}, a counter per rule), the last takes the rest, so connections
   * go to each in turn. Hash: {@code cluster} hashes the client's address (conntrack's original
   * source) into N nodes, rule i matching node i+1. Spelled as iptables-save prints them.
   */
  private static void spread(CompiledForward f, Cidr source, List<List<String>> rules) {
    List<InetAddress> backends = f.spread().get().backends();
    int n = backends.size();
    boolean hash = f.spread().get().balance() == Balance.HASH;
    for (int i = 0; i < n; i++) {
      List<String> rule = match(f, source);
      if (hash) {
        rule.addAll(
            List.of(
                "-m",
                "cluster",
                "--cluster-local-nodemask",
                String.format("0x%08x", 1 << i),
                "--cluster-total-nodes",
                Integer.toString(n),
                "--cluster-hash-seed",
                "0x00000000"));
      } else if (i < n - 1) {
        rule.addAll(
            List.of(
                "-m",
                "statistic",
                "--mode",
                "nth",
                "--every",
                Integer.toString(n - i),
                "--packet",
                "0"));
      }
      if (!f.description().isEmpty()) {
        rule.addAll(List.of("-m", "comment", "--comment", f.description()));
      }
      rule.addAll(List.of("-j", "DNAT", "--to-destination", destination(f.eachBackend().get(i))));
      rules.add(List.copyOf(rule));
    }
  }

  /** {@code [-s SRC] [-d EXT] -p P -m P --dport PORTS [-m addrtype --dst-type LOCAL]}. */
  private static List<String> match(CompiledForward f, Cidr source) {
    List<String> words = new ArrayList<>();
    if (source != null) {
      words.addAll(List.of("-s", source.toString()));
    }
    f.externalAddress().ifPresent(a -> words.addAll(List.of("-d", host(a))));
    String proto = f.protocol().keyword();
    words.addAll(List.of("-p", proto, "-m", proto, "--dport", ports(f.externalPorts())));
    if (f.externalAddress().isEmpty()) {
      words.addAll(List.of("-m", "addrtype", "--dst-type", "LOCAL"));
    }
    return words;
  }

  /**
   * {@code B:80}; {@code B} for a same-port range (the kernel keeps the port); {@code
   * B:9000-9009/8000} for a shifted range. IPv6 addresses in brackets when a port follows.
   */
  static String destination(CompiledForward f) {
    String address = Addresses.format(f.backend());
    if (!f.externalPorts().isSinglePort() && f.portOffset() == 0) {
      return address;
    }
    String host = f.family() == IpFamily.IPV6 ? "[" + address + "]" : address;
    if (f.externalPorts().isSinglePort()) {
      return host + ":" + f.backendPorts().first();
    }
    return host
        + ":"
        + f.backendPorts().first()
        + "-"
        + f.backendPorts().last()
        + "/"
        + f.externalPorts().first();
  }

  /** {@code 192.0.2.2/32}: iptables-save prints every address with its prefix length. */
  static String host(InetAddress address) {
    return Cidr.host(address).toString();
  }

  /** {@code 80} or {@code 8000:8009}, iptables' spelling of a port range. */
  static String ports(PortRange range) {
    return range.isSinglePort()
        ? Integer.toString(range.first())
        : range.first() + ":" + range.last();
  }
}
