package dev.portfwd.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for what {@code ip -j}, {@code ss} and {@code conntrack} print. Pure functions of text,
 * so each is tested with captured output.
 */
final class HostOutputParsers {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern SS_PROCESS = Pattern.compile("\\(\\(\"([^\"]*)\",pid=(\\d+)");

  private HostOutputParsers() {}

  /** {@code ip -j addr}: the interfaces with their addresses. */
  static List<HostInterface> interfaces(String json) {
    List<HostInterface> interfaces = new ArrayList<>();
    for (JsonNode link : array(json)) {
      List<HostInterface.Address> addresses = new ArrayList<>();
      for (JsonNode info : link.path("addr_info")) {
        Addresses.parse(info.path("local").asText())
            .ifPresent(
                a -> addresses.add(new HostInterface.Address(a, info.path("prefixlen").asInt())));
      }
      boolean up = false;
      for (JsonNode flag : link.path("flags")) {
        up |= flag.asText().equals("UP");
      }
      interfaces.add(new HostInterface(link.path("ifname").asText(), up, addresses));
    }
    return interfaces;
  }

  /**
   * {@code ip -j route get} and {@code ip -j route show match} for {@code destination}; {@code
   * getJson} is null when {@code route get} failed with {@code error}.
   */
  static RouteFact route(InetAddress destination, String getJson, String matchJson, String error) {
    if (getJson == null) {
      return RouteFact.none(destination, error);
    }
    List<JsonNode> routes = array(getJson);
    if (routes.isEmpty()) {
      return RouteFact.none(destination, error);
    }
    JsonNode route = routes.get(0);
    Optional<String> device = text(route, "dev");
    Optional<String> prefix = Optional.empty();
    int best = -1;
    for (JsonNode candidate : array(matchJson == null ? "[]" : matchJson)) {
      if (!text(candidate, "dev").equals(device)) {
        continue;
      }
      String dst = candidate.path("dst").asText();
      int length =
          dst.equals("default")
              ? 0
              : dst.contains("/")
                  ? Integer.parseInt(dst.substring(dst.indexOf('/') + 1))
                  : destination.getAddress().length * 8;
      if (length > best) {
        best = length;
        prefix = Optional.of(dst);
      }
    }
    return new RouteFact(
        destination,
        text(route, "type").orElse("unicast"),
        device,
        text(route, "gateway").flatMap(Addresses::parse),
        text(route, "prefsrc").flatMap(Addresses::parse),
        prefix,
        "");
  }

  /** {@code ss -H -tlnp} or {@code -ulnp} output. */
  static List<ListeningSocket> listeners(Protocol protocol, String text) {
    List<ListeningSocket> listeners = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length < 4) {
        continue;
      }
      String local = fields[3];
      int colon = local.lastIndexOf(':');
      if (colon < 0) {
        continue;
      }
      int port;
      try {
        port = Integer.parseInt(local.substring(colon + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      String host = local.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int zone = host.indexOf('%');
      if (zone >= 0) {
        host = host.substring(0, zone);
      }
      Optional<InetAddress> address = host.equals("*") ? Optional.empty() : Addresses.parse(host);
      Matcher process = SS_PROCESS.matcher(line);
      boolean named = process.find();
      listeners.add(
          new ListeningSocket(
              protocol,
              address,
              port,
              named ? Optional.of(process.group(1)) : Optional.empty(),
              named ? Optional.of(Long.parseLong(process.group(2))) : Optional.empty()));
    }
    return listeners;
  }

  /** {@code conntrack -L} lines: the first src/dst/sport/dport are the original direction. */
  static List<ConntrackEntry> conntrack(String text) {
    List<ConntrackEntry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      Optional<Protocol> protocol = Optional.empty();
      List<String> src = new ArrayList<>();
      List<String> dst = new ArrayList<>();
      List<String> sport = new ArrayList<>();
      List<String> dport = new ArrayList<>();
      for (String word : line.strip().split("\\s+")) {
        if (protocol.isEmpty() && !word.contains("=")) {
          protocol = Protocol.fromKeyword(word);
        }
        if (word.startsWith("src=")) {
          src.add(word.substring(4));
        } else if (word.startsWith("dst=")) {
          dst.add(word.substring(4));
        } else if (word.startsWith("sport=")) {
          sport.add(word.substring(6));
        } else if (word.startsWith("dport=")) {
          dport.add(word.substring(6));
        }
      }
      if (protocol.isEmpty()
          || src.size() < 2
          || dst.size() < 2
          || sport.size() < 2
          || dport.size() < 2) {
        continue;
      }
      Optional<InetAddress> os = Addresses.parse(src.get(0));
      Optional<InetAddress> od = Addresses.parse(dst.get(0));
      Optional<InetAddress> rs = Addresses.parse(src.get(1));
      if (os.isEmpty() || od.isEmpty() || rs.isEmpty()) {
        continue;
      }
      try {
        entries.add(
            new ConntrackEntry(
                protocol.get(),
                os.get(),
                od.get(),
                Integer.parseInt(sport.get(0)),
                Integer.parseInt(dport.get(0)),
                rs.get(),
                Integer.parseInt(sport.get(1)),
                !line.contains("[UNREPLIED]")));
      } catch (NumberFormatException e) {
        // A line conntrack printed in a form doctor does not know; skip it.
      }
    }
    return entries;
  }

  private static List<JsonNode> array(String json) {
    List<JsonNode> nodes = new ArrayList<>();
    try {
      JsonNode root = MAPPER.readTree(json.isBlank() ? "[]" : json);
      if (root != null && root.isArray()) {
        root.forEach(nodes::add);
      }
    } catch (IOException e) {
      // ip printed no JSON (an old iproute2): treat as nothing known.
    }
    return nodes;
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }
}
