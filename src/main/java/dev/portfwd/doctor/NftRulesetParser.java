package dev.portfwd.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import dev.portfwd.nft.NftListing;
import java.io.IOException;
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
 * Reads {@code nft -j list ruleset} into {@link FirewallChain}s. Tables named {@code portfwd}
 * (portfwd's own) and the tables that iptables-nft manages (read from {@code iptables-save}
 * instead) are left out. {@link NftListing} reads the listing; this class gives the expressions of
 * other tools' rules their meaning for doctor. Expressions doctor does not model become {@link
 * Match.Opaque}.
 */
final class NftRulesetParser {

  static final String OWN_TABLE = "portfwd";

  private NftRulesetParser() {}

  /**
   * The foreign chains in {@code json}.
   *
   * @param skipTables {@code family name} pairs (e.g. {@code ip filter}) to leave out
   * @throws IllegalArgumentException when {@code json} is not nft's JSON
   */
  static List<FirewallChain> parse(String json, Set<String> skipTables) {
    List<NftListing.Entry> entries;
    try {
      entries =
          NftListing.read(json)
              .orElseThrow(
                  () -> new IllegalArgumentException("nft -j printed no \"nftables\" array"));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "nft printed something that is not JSON: " + e.getMessage());
    }
    Map<String, NftListing.Chain> chains = new LinkedHashMap<>();
    Map<String, List<FirewallRule>> rules = new LinkedHashMap<>();
    for (NftListing.Entry entry : entries) {
      if (entry instanceof NftListing.Chain chain) {
        if (!skipped(chain, skipTables)) {
          String key = key(chain.family(), chain.table(), chain.name());
          chains.put(key, chain);
          rules.put(key, new ArrayList<>());
        }
      } else if (entry instanceof NftListing.Rule rule) {
        List<FirewallRule> list = rules.get(key(rule.family(), rule.table(), rule.chain()));
        if (list != null) {
          list.add(rule(rule));
        }
      }
    }
    List<FirewallChain> result = new ArrayList<>();
    for (Map.Entry<String, NftListing.Chain> entry : chains.entrySet()) {
      NftListing.Chain chain = entry.getValue();
      result.add(
          new FirewallChain(
              "nft",
              chain.family(),
              chain.table(),
              chain.name(),
              chain.hook(),
              chain.type(),
              chain.priority(),
              chain.policy(),
              rules.get(entry.getKey())));
    }
    return result;
  }

  private static boolean skipped(NftListing.Chain chain, Set<String> skipTables) {
    return chain.table().equals(OWN_TABLE)
        || skipTables.contains(chain.family() + " " + chain.table());
  }

  private static String key(String family, String table, String chain) {
    return family + " " + table + " " + chain;
  }

  private static FirewallRule rule(NftListing.Rule rule) {
    String family = rule.family();
    List<Match> matches = new ArrayList<>();
    if (family.equals("ip")) {
      matches.add(new Match.Family(IpFamily.IPV4));
    } else if (family.equals("ip6")) {
      matches.add(new Match.Family(IpFamily.IPV6));
    }
    Verdict verdict = Verdict.of(Verdict.Kind.CONTINUE);
    for (JsonNode expr : rule.expressions()) {
      String kind = expr.fieldNames().hasNext() ? expr.fieldNames().next() : "";
      JsonNode body = expr.get(kind);
      switch (kind) {
        case "match" -> matches.addAll(match(body));
        case "accept" -> verdict = Verdict.of(Verdict.Kind.ACCEPT);
        case "drop", "reject" -> verdict = Verdict.of(Verdict.Kind.DROP);
        case "return" -> verdict = Verdict.of(Verdict.Kind.RETURN);
        case "jump" -> verdict = Verdict.to(Verdict.Kind.JUMP, body.path("target").asText());
        case "goto" -> verdict = Verdict.to(Verdict.Kind.GOTO, body.path("target").asText());
        case "dnat" -> verdict = dnat(body);
        case "redirect" -> verdict = Verdict.to(Verdict.Kind.DNAT, "the gateway itself");
        case "xt" -> {
          String name = body.path("name").asText();
          if (body.path("type").asText().equals("target")) {
            if (name.equals("DNAT") || name.equals("REDIRECT")) {
              verdict = Verdict.of(Verdict.Kind.DNAT);
            }
          } else {
            matches.add(new Match.Opaque("xt " + name));
          }
        }
        case "counter",
            "log",
            "comment",
            "limit",
            "mangle",
            "masquerade",
            "snat",
            "notrack",
            "meta",
            "quota",
            "" -> {
          // Statements that do not decide whether the packet passes.
        }
        default -> matches.add(new Match.Opaque(kind));
      }
    }
    String chain = rule.chain();
    String handle = rule.handle();
    String table = rule.table();
    return new FirewallRule(
        matches,
        verdict,
        "rule handle " + handle + " in chain " + chain + " of nft table " + family + " " + table,
        "nft delete rule " + family + " " + table + " " + chain + " handle " + handle);
  }

  private static Verdict dnat(JsonNode body) {
    String addr = body.path("addr").isValueNode() ? body.path("addr").asText() : "";
    String port = body.path("port").isValueNode() ? body.path("port").asText() : "";
    if (addr.isEmpty()) {
      return Verdict.of(Verdict.Kind.DNAT);
    }
    return Verdict.to(Verdict.Kind.DNAT, port.isEmpty() ? addr : addr + ":" + port);
  }

  private static List<Match> match(JsonNode body) {
    String op = body.path("op").asText("==");
    boolean negated = op.equals("!=");
    JsonNode left = body.path("left");
    JsonNode right = body.path("right");
    if (left.has("payload")) {
      JsonNode payload = left.get("payload");
      String protocol = payload.path("protocol").asText();
      String field = payload.path("field").asText();
      if (field.equals("dport")
          && (protocol.equals("tcp") || protocol.equals("udp") || protocol.equals("th"))) {
        List<PortRange> ports = ports(right);
        if (ports == null) {
          return List.of(new Match.Opaque(protocol + " dport"));
        }
        List<Match> result = new ArrayList<>();
        if (!protocol.equals("th")) {
          result.add(
              new Match.L4Proto(
                  Set.of(Protocol.valueOf(protocol.toUpperCase(Locale.ROOT))), false));
        }
        result.add(new Match.DestPort(ports, negated));
        return result;
      }
      if (field.equals("daddr") && (protocol.equals("ip") || protocol.equals("ip6"))) {
        List<Cidr> blocks = blocks(right);
        IpFamily family = protocol.equals("ip") ? IpFamily.IPV4 : IpFamily.IPV6;
        if (blocks == null) {
          return List.of(new Match.Family(family), new Match.Opaque(protocol + " daddr"));
        }
        return List.of(new Match.Family(family), new Match.DestAddress(blocks, negated));
      }
      if ((field.equals("protocol") && protocol.equals("ip"))
          || (field.equals("nexthdr") && protocol.equals("ip6"))) {
        Set<Protocol> protocols = protocols(right);
        return protocols == null
            ? List.of(new Match.Opaque("l4 protocol"))
            : List.of(new Match.L4Proto(protocols, negated));
      }
      if (protocol.equals("ip") || protocol.equals("ip6")) {
        // Any other IP header field still pins the family (ip saddr only matches IPv4).
        return List.of(
            new Match.Family(protocol.equals("ip") ? IpFamily.IPV4 : IpFamily.IPV6),
            new Match.Opaque(protocol + " " + field));
      }
      return List.of(new Match.Opaque(protocol + " " + field));
    }
    if (left.has("meta")) {
      String key = left.get("meta").path("key").asText();
      switch (key) {
        case "l4proto" -> {
          Set<Protocol> protocols = protocols(right);
          return protocols == null
              ? List.of(new Match.Opaque("meta l4proto"))
              : List.of(new Match.L4Proto(protocols, negated));
        }
        case "nfproto" -> {
          String value = right.asText();
          if (right.isTextual() && !negated && (value.equals("ipv4") || value.equals("ipv6"))) {
            return List.of(new Match.Family(value.equals("ipv4") ? IpFamily.IPV4 : IpFamily.IPV6));
          }
          return List.of(new Match.Opaque("meta nfproto"));
        }
        case "oifname" -> {
          if (right.isTextual()) {
            return List.of(new Match.OutInterface(right.asText(), negated));
          }
          return List.of(new Match.Opaque("meta oifname"));
        }
        default -> {
          return List.of(new Match.Opaque("meta " + key));
        }
      }
    }
    if (left.has("ct")) {
      String key = left.get("ct").path("key").asText();
      Set<String> values = words(right);
      if (key.equals("state") && values != null) {
        return List.of(new Match.CtState(values, negated));
      }
      if (key.equals("status") && values != null && values.equals(Set.of("dnat"))) {
        return List.of(new Match.CtDnat(negated));
      }
      return List.of(new Match.Opaque("ct " + key));
    }
    return List.of(new Match.Opaque(left.toString()));
  }

  /** Ports of {@code 80}, {@code {"range":[1,2]}}, {@code {"set":[...]}}; null if not ports. */
  private static List<PortRange> ports(JsonNode right) {
    List<PortRange> ranges = new ArrayList<>();
    if (right.isInt()) {
      ranges.add(PortRange.of(right.asInt()));
      return ranges;
    }
    if (right.has("range")) {
      JsonNode range = right.get("range");
      if (range.size() == 2 && range.get(0).isInt() && range.get(1).isInt()) {
        ranges.add(new PortRange(range.get(0).asInt(), range.get(1).asInt()));
        return ranges;
      }
      return null;
    }
    if (right.has("set")) {
      for (JsonNode element : right.get("set")) {
        List<PortRange> inner = ports(element);
        if (inner == null) {
          return null;
        }
        ranges.addAll(inner);
      }
      return ranges;
    }
    return null;
  }

  private static List<Cidr> blocks(JsonNode right) {
    List<Cidr> blocks = new ArrayList<>();
    if (right.isTextual()) {
      Optional<InetAddress> address = Addresses.parse(right.asText());
      if (address.isEmpty()) {
        return null;
      }
      blocks.add(Cidr.host(address.get()));
      return blocks;
    }
    if (right.has("prefix")) {
      Optional<InetAddress> address = Addresses.parse(right.get("prefix").path("addr").asText());
      if (address.isEmpty()) {
        return null;
      }
      blocks.add(new Cidr(address.get(), right.get("prefix").path("len").asInt()));
      return blocks;
    }
    if (right.has("set")) {
      for (JsonNode element : right.get("set")) {
        List<Cidr> inner = blocks(element);
        if (inner == null) {
          return null;
        }
        blocks.addAll(inner);
      }
      return blocks;
    }
    return null;
  }

  private static Set<Protocol> protocols(JsonNode right) {
    Set<String> words = words(right);
    if (words == null) {
      return null;
    }
    Set<Protocol> protocols = new HashSet<>();
    for (String word : words) {
      Protocol.fromKeyword(word).ifPresent(protocols::add);
    }
    return protocols;
  }

  /** {@code "new"}, {@code ["established","related"]}, {@code {"set":[...]}}; null otherwise. */
  private static Set<String> words(JsonNode right) {
    Set<String> words = new HashSet<>();
    if (right.isTextual()) {
      words.add(right.asText());
      return words;
    }
    JsonNode list = right.has("set") ? right.get("set") : right;
    if (!list.isArray()) {
      return null;
    }
    for (JsonNode element : list) {
      if (!element.isTextual()) {
        return null;
      }
      words.add(element.asText());
    }
    return words;
  }
}
