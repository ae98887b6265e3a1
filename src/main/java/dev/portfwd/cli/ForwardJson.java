package dev.portfwd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.BackendSpec;
import dev.portfwd.model.Cidr;
import dev.portfwd.model.Forward;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import dev.portfwd.table.Diagnostic;

/** The JSON shapes of forwards and diagnostics that {@code --json} prints; stable for scripts. */
final class ForwardJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private ForwardJson() {}

  static ObjectNode forward(Forward forward) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("line", forward.line());
    node.put("externalAddress", forward.externalAddress().map(Addresses::format).orElse(null));
    node.set("externalPorts", ports(forward.externalPorts()));
    ArrayNode protocols = node.putArray("protocols");
    for (Protocol protocol : forward.protocolList()) {
      protocols.add(protocol.keyword());
    }
    node.put("backend", forward.pool().writtenText());
    ArrayNode backends = node.putArray("backends");
    for (BackendSpec spec : forward.pool().written()) {
      ObjectNode backend = backends.addObject();
      backend.put("name", spec.text());
      backend.put("address", spec.address().map(Addresses::format).orElse(null));
    }
    node.put("balance", forward.pool().balanceInEffect().keyword());
    node.put("check", forward.pool().check(forward.carries(Protocol.TCP)).keyword());
    node.set("backendPorts", ports(forward.backendPorts()));
    ArrayNode from = node.putArray("from");
    for (Cidr cidr : forward.allowedSources()) {
      from.add(cidr.toString());
    }
    node.put("masquerade", forward.masquerade());
    forward.snat().ifPresent(a -> node.put("snat", Addresses.format(a)));
    node.put("proxyProtocol", forward.proxyProtocol().keyword());
    node.put("description", forward.description());
    return node;
  }

  /**
   * A forward as the kernel holds it: one protocol, one backend, as {@code status --json} and the
   * dashboard's plan show it.
   */
  static ObjectNode compiled(CompiledForward forward) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("externalAddress", forward.externalAddress().map(Addresses::format).orElse(null));
    node.set("externalPorts", ports(forward.externalPorts()));
    node.put("protocol", forward.protocol().keyword());
    node.put("backend", Addresses.format(forward.backend()));
    node.set("backendPorts", ports(forward.backendPorts()));
    ArrayNode from = node.putArray("from");
    forward.allowedSources().forEach(c -> from.add(c.toString()));
    node.put("masquerade", forward.masquerade());
    node.put("description", forward.description());
    return node;
  }

  static ObjectNode ports(PortRange range) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("first", range.first());
    node.put("last", range.last());
    return node;
  }

  static ObjectNode diagnostic(Diagnostic diagnostic) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("file", diagnostic.file());
    node.put("line", diagnostic.line());
    node.put("column", diagnostic.column());
    node.put("severity", diagnostic.severity().label());
    node.put("message", diagnostic.message());
    return node;
  }
}
