package dev.portfwd.doctor;

import dev.portfwd.iptables.RestoreText;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the output of {@code iptables-save} (or {@code ip6tables-save}, either flavour) into {@link
 * FirewallChain}s whose built-in chains carry the hook and priority the kernel gives them.
 */
final class IptablesSaveParser {

  private IptablesSaveParser() {}

  /** The output of one {@code *-save} program. */
  record Dump(List<FirewallChain> chains, Set<String> tables, boolean nfTables) {}

  /**
   * Parses {@code text}.
   *
   * @param program {@code iptables}, {@code ip6tables}, {@code iptables-legacy}, ...: named in fix
   *     commands
   */
  static Dump parse(String text, String program, IpFamily family) {
    String nftFamily = family == IpFamily.IPV4 ? "ip" : "ip6";
    boolean nfTables = text.contains("(nf_tables)");
    Map<String, List<FirewallRule>> rules = new LinkedHashMap<>();
    Map<String, String> policies = new LinkedHashMap<>();
    Set<String> tables = new HashSet<>();
    List<FirewallChain> chains = new ArrayList<>();
    String table = null;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("*")) {
        table = line.substring(1);
        tables.add(table);
        rules.clear();
        policies.clear();
      } else if (line.startsWith(":") && table != null) {
        String[] parts = line.substring(1).split("\\s+");
        rules.put(parts[0], new ArrayList<>());
        policies.put(parts[0], parts.length > 1 ? parts[1] : "-");
      } else if (line.startsWith("-A ") && table != null) {
        List<String> tokens = RestoreText.splitAsWritten(line);
        String chain = tokens.get(1);
        rules
            .computeIfAbsent(chain, c -> new ArrayList<>())
            .add(rule(tokens, program, table, family, rules.keySet()));
      } else if (line.equals("COMMIT") && table != null) {
        String current = table;
        for (Map.Entry<String, List<FirewallRule>> entry : rules.entrySet()) {
          String name = entry.getKey();
          String policy = policies.getOrDefault(name, "-");
          Optional<String> hook = policy.equals("-") ? Optional.empty() : hook(table, name);
          chains.add(
              new FirewallChain(
                  program,
                  nftFamily,
                  table,
                  name,
                  hook,
                  hook.map(h -> current.equals("nat") ? "nat" : "filter"),
                  priority(table),
                  hook.map(h -> policy.toLowerCase(Locale.ROOT)),
                  entry.getValue()));
        }
        table = null;
      }
    }
    return new Dump(chains, tables, nfTables);
  }

  private static Optional<String> hook(String table, String chain) {
    return switch (chain) {
      case "PREROUTING" -> Optional.of("prerouting");
      case "INPUT" -> Optional.of("input");
      case "FORWARD" -> Optional.of("forward");
      case "OUTPUT" -> Optional.of("output");
      case "POSTROUTING" -> Optional.of("postrouting");
      default -> Optional.empty();
    };
  }

  /** The priorities iptables registers its tables at (NF_IP_PRI_*). */
  private static int priority(String table) {
    return switch (table) {
      case "raw" -> -300;
      case "mangle" -> -150;
      case "nat" -> -100;
      case "security" -> 50;
      default -> 0;
    };
  }

  private static FirewallRule rule(
      List<String> tokens, String program, String table, IpFamily family, Set<String> userChains) {
    List<Match> matches = new ArrayList<>();
    Verdict verdict = Verdict.of(Verdict.Kind.CONTINUE);
    boolean negate = false;
    for (int i = 2; i < tokens.size(); i++) {
      String option = tokens.get(i);
      String value = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
      switch (option) {
        case "!" -> {
          negate = true;
          continue;
        }
        case "-p", "--protocol" -> {
          String protocol = value.toLowerCase(Locale.ROOT);
          if (!protocol.equals("all")) {
            Set<Protocol> protocols = new HashSet<>();
            Protocol.fromKeyword(protocol).ifPresent(protocols::add);
            matches.add(new Match.L4Proto(protocols, negate));
          }
          i++;
        }
        case "-d", "--destination" -> {
          List<Cidr> blocks = blocks(value);
          matches.add(
              blocks == null
                  ? new Match.Opaque("-d " + value)
                  : new Match.DestAddress(blocks, negate));
          i++;
        }
        case "-o", "--out-interface" -> {
          matches.add(new Match.OutInterface(value, negate));
          i++;
        }
        case "--dport", "--destination-port", "--dports", "--destination-ports" -> {
          List<PortRange> ports = ports(value);
          matches.add(
              ports == null
                  ? new Match.Opaque(option + " " + value)
                  : new Match.DestPort(ports, negate));
          i++;
        }
        case "--ctstate", "--state" -> {
          Set<String> states = new HashSet<>();
          for (String state : value.split(",")) {
            states.add(state.toLowerCase(Locale.ROOT));
          }
          matches.add(new Match.CtState(states, negate));
          i++;
        }
        case "--ctstatus" -> {
          if (value.equalsIgnoreCase("DNAT")) {
            matches.add(new Match.CtDnat(negate));
          } else {
            matches.add(new Match.Opaque("--ctstatus " + value));
          }
          i++;
        }
        case "-m", "--match" -> i++; // The module's own options follow and are read one by one.
        case "--comment" -> i++;
        case "-j", "--jump" -> {
          verdict = target(value, tokens, i, userChains, Verdict.Kind.JUMP);
          // iptables-save writes the target last; what follows are the target's own options.
          i = tokens.size();
        }
        case "-g", "--goto" -> {
          verdict = Verdict.to(Verdict.Kind.GOTO, value);
          i++;
        }
        default -> {
          int end = skipValues(tokens, i);
          matches.add(new Match.Opaque(String.join(" ", tokens.subList(i, end + 1))));
          i = end;
        }
      }
      negate = false;
    }
    // Rules of iptables apply to IPv4 only, those of ip6tables to IPv6 only.
    matches.add(0, new Match.Family(family));
    String spec = String.join(" ", tokens.subList(1, tokens.size()));
    return new FirewallRule(
        matches,
        verdict,
        "'" + String.join(" ", tokens) + "' (" + program + " -t " + table + ")",
        program + " -t " + table + " -D " + spec);
  }

  /** The index of the last value word after option {@code i} (words until the next option). */
  private static int skipValues(List<String> tokens, int i) {
    int end = i;
    while (end + 1 < tokens.size()
        && !tokens.get(end + 1).startsWith("-")
        && !tokens.get(end + 1).equals("!")) {
      end++;
    }
    return end;
  }

  private static Verdict target(
      String name, List<String> tokens, int at, Set<String> userChains, Verdict.Kind jump) {
    switch (name) {
      case "ACCEPT":
        return Verdict.of(Verdict.Kind.ACCEPT);
      case "DROP":
      case "REJECT":
        return Verdict.of(Verdict.Kind.DROP);
      case "RETURN":
        return Verdict.of(Verdict.Kind.RETURN);
      case "REDIRECT":
        return Verdict.to(Verdict.Kind.DNAT, "the gateway itself");
      case "DNAT":
        for (int i = at + 2; i + 1 < tokens.size(); i++) {
          if (tokens.get(i).equals("--to-destination")) {
            return Verdict.to(Verdict.Kind.DNAT, tokens.get(i + 1));
          }
        }
        return Verdict.of(Verdict.Kind.DNAT);
      default:
        return userChains.contains(name)
            ? Verdict.to(jump, name)
            : Verdict.of(Verdict.Kind.CONTINUE);
    }
  }

  private static List<PortRange> ports(String text) {
    List<PortRange> ranges = new ArrayList<>();
    try {
      for (String part : text.split(",")) {
        String[] bounds = part.split(":");
        int first = Integer.parseInt(bounds[0]);
        int last = bounds.length > 1 ? Integer.parseInt(bounds[1]) : first;
        ranges.add(new PortRange(first, last));
      }
      return ranges;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static List<Cidr> blocks(String text) {
    List<Cidr> blocks = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] pieces = part.split("/");
      Optional<InetAddress> address = Addresses.parse(pieces[0]);
      if (address.isEmpty()) {
        return null;
      }
      try {
        int length =
            pieces.length > 1 ? Integer.parseInt(pieces[1]) : address.get().getAddress().length * 8;
        blocks.add(new Cidr(address.get(), length));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return blocks;
  }
}
