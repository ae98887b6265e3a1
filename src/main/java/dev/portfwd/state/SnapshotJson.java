package dev.portfwd.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The on-disk form of {@link Snapshot}s and {@link PendingConfirmation}s: JSON with one object per
 * forward, so a file in the state directory can be read by people and scripts. Reading rejects
 * anything malformed with {@link IllegalArgumentException} rather than guessing.
 */
final class SnapshotJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private SnapshotJson() {}

  static ObjectNode write(Snapshot snapshot) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("source", snapshot.source());
    node.put("appliedAt", snapshot.appliedAt().toString());
    node.put("backend", snapshot.backend());
    ArrayNode on = node.putArray("forwardingOn");
    snapshot.forwardingOn().stream().sorted().forEach(on::add);
    ArrayNode forwards = node.putArray("forwards");
    for (CompiledForward f : snapshot.forwards().forwards()) {
      ObjectNode item = forwards.addObject();
      item.put("family", f.family().name());
      item.put("externalAddress", f.externalAddress().map(Addresses::format).orElse(null));
      item.put("protocol", f.protocol().name());
      item.put("externalPorts", f.externalPorts().toString());
      item.put("backend", Addresses.format(f.backend()));
      item.put("backendPorts", f.backendPorts().toString());
      ArrayNode from = item.putArray("from");
      f.allowedSources().forEach(c -> from.add(Addresses.format(c.network()) + "/" + c.prefixLength()));
      item.put("masquerade", f.masquerade());
      item.put("description", f.description());
    }
    return node;
  }

  static Snapshot read(JsonNode node) {
    List<CompiledForward> forwards = new ArrayList<>();
    for (JsonNode item : required(node, "forwards")) {
      List<Cidr> from = new ArrayList<>();
      for (JsonNode cidr : required(item, "from")) {
        String[] parts = cidr.asText().split("/", 2);
        from.add(new Cidr(address(parts[0]), Integer.parseInt(parts[1])));
      }
      JsonNode external = item.get("externalAddress");
      Optional<InetAddress> externalAddress = external == null || external.isNull()
          ? Optional.empty() : Optional.of(address(external.asText()));
      forwards.add(new CompiledForward(
          IpFamily.valueOf(text(item, "family")),
          externalAddress,
          Protocol.valueOf(text(item, "protocol")),
          ports(text(item, "externalPorts")),
          address(text(item, "backend")),
          ports(text(item, "backendPorts")),
          from,
          required(item, "masquerade").asBoolean(),
          text(item, "description")));
    }
    Set<String> on = new TreeSet<>();
    required(node, "forwardingOn").forEach(key -> on.add(key.asText()));
    return new Snapshot(text(node, "source"), Instant.parse(text(node, "appliedAt")), text(node, "backend"),
        new DesiredState(forwards), on);
  }

  static ObjectNode write(PendingConfirmation pending) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", pending.id());
    node.put("deadline", pending.deadline().toString());
    node.put("backend", pending.backend());
    node.put("generation", pending.generation());
    ArrayNode off = node.putArray("switchOff");
    pending.switchOff().stream().sorted().forEach(off::add);
    node.set("restore", write(pending.restore()));
    node.put("applied", pending.applied());
    return node;
  }

  static PendingConfirmation readPending(JsonNode node) {
    Set<String> off = new TreeSet<>();
    required(node, "switchOff").forEach(key -> off.add(key.asText()));
    return new PendingConfirmation(text(node, "id"), Instant.parse(text(node, "deadline")), text(node, "backend"),
        required(node, "generation").asLong(), read(required(node, "restore")), off,
        required(node, "applied").asText());
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return value;
  }

  private static String text(JsonNode node, String field) {
    return required(node, field).asText();
  }

  private static InetAddress address(String literal) {
    return Addresses.parse(literal).orElseThrow(() -> new IllegalArgumentException("not an address: " + literal));
  }

  private static PortRange ports(String text) {
    int dash = text.indexOf('-');
    return dash < 0 ? PortRange.of(Integer.parseInt(text))
        : new PortRange(Integer.parseInt(text.substring(0, dash)), Integer.parseInt(text.substring(dash + 1)));
  }
}
