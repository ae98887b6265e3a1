package dev.portfwd.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.LiveStatus;
import dev.portfwd.engine.LiveStatusCache;
import dev.portfwd.model.Addresses;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.TerminalText;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code portfwd status}: the live forwards with their traffic, read from the kernel. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show the installed forwards with their packets, bytes and open connections.",
      "Reads the kernel, so it works when the table file is gone. Needs root."
    })
final class StatusCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Mixin BackendOption backend;

  @Option(names = "--json", description = "Print the forwards and counters as JSON for scripts.")
  boolean json;

  @Option(
      names = "--fresh",
      description = {
        "Through the service: read the counters from the kernel now, not the service's read of"
            + " the last 2 seconds (which 'status' shows with its age)."
      })
  boolean fresh;

  @Mixin StateOptions state;

  @Override
  public void run() {
    Instant asked = Instant.now();
    PrintWriter out = spec.commandLine().getOut();
    Invocation invocation = root.invocation();
    KernelSession session = invocation.session(backend.choice);
    StateStore store = invocation.store(state.stateDir);
    Engine engine = invocation.engine(session, store, spec.commandLine().getErr());
    LiveStatusCache.Reading reading =
        KernelSession.call(() -> invocation.liveStatus(engine, fresh));
    LiveStatus live = reading.status();
    LiveTableLine liveTable =
        LiveTableLine.of(
            store, session, live.forwards().stream().map(LiveForward::forward).toList());
    List<BackendMonitor.BackendState> health = invocation.backendHealth();
    if (json) {
      ObjectNode root = toJson(session.backend.name(), live);
      root.put("readAt", reading.readAt().toString());
      if (!health.isEmpty()) {
        root.set("backendHealth", healthJson(health));
      }
      out.print(liveTable.addTo(root).toPrettyString() + "\n");
    } else {
      out.print(
          text(session.backend.name(), live)
              + age(Duration.between(reading.readAt(), asked))
              + healthText(health)
              + TerminalText.escape(liveTable.text().strip())
              + "\n");
    }
    out.flush();
  }

  /**
   * A line saying how old the counters were when {@code status} asked, when the service answered
   * with a read made before; nothing for a read made for this request (a negative age).
   */
  static String age(Duration age) {
    if (age.isNegative() || age.isZero()) {
      return "";
    }
    String ago =
        age.compareTo(Duration.ofSeconds(1)) < 0
            ? age.toMillis() + " ms"
            : String.format(java.util.Locale.ROOT, "%.1f s", age.toMillis() / 1000.0);
    return "counters as the service read them " + ago + " ago ('status --fresh' reads them now)\n";
  }

  /**
   * The forwards as a table for a terminal; descriptions are escaped there ({@link TextTable}). A
   * connection count that could not be had shows as {@code ?}, explained once below the table.
   */
  static String text(String backend, LiveStatus live) {
    List<LiveForward> forwards = live.forwards();
    if (forwards.isEmpty()) {
      return "no forwards installed (" + backend + ")\n";
    }
    TextTable table =
        new TextTable("EXTERNAL", "BACKEND", "PACKETS", "BYTES", "CONNS", "OPTIONS", "DESCRIPTION");
    for (LiveForward f : forwards) {
      CompiledForward forward = f.forward();
      table.row(
          forward.externalText(),
          forward.backendText(),
          Long.toString(f.packets()),
          Long.toString(f.bytes()),
          f.connections() < 0 ? "?" : Long.toString(f.connections()),
          forward.optionsText().isEmpty() ? "-" : forward.optionsText(),
          forward.description());
      // A spread forward's share of each backend, below it: the row above is their sum.
      for (LiveForward.BackendCounter b : f.backends()) {
        table.row(
            "",
            "  " + Addresses.withPort(b.backend(), forward.backendPorts()),
            Long.toString(b.packets()),
            Long.toString(b.bytes()),
            "",
            "",
            "");
      }
    }
    // iptables counts in its nat rules, which see only the first packet of each connection.
    String footnote =
        forwards.stream().anyMatch(f -> f.connections() < 0)
            ? "? "
                + live.connectionsUnknown().orElse("open connections could not be counted")
                + "\n"
            : "";
    return table
        + TableLoader.count(forwards.size(), "forward")
        + " ("
        + backend
        + (backend.equals("iptables")
            ? "); packets and bytes count the first packet of each connection\n"
            : "); packets and bytes are those clients sent\n")
        + footnote;
  }

  /**
   * The service's view of each backend of forwards with several backends or names: its name,
   * address, health; a line for a forward whose backends are all down. Empty outside the service.
   */
  static String healthText(List<BackendMonitor.BackendState> health) {
    if (health.isEmpty()) {
      return "";
    }
    TextTable table = new TextTable("LINE", "EXTERNAL", "NAME", "BACKEND", "HEALTH");
    java.util.Map<Integer, Boolean> allDown = new java.util.LinkedHashMap<>();
    for (BackendMonitor.BackendState b : health) {
      boolean up = b.health().up();
      allDown.merge(b.forward().line(), !up && b.target().isPresent(), Boolean::logicalAnd);
      table.row(
          Integer.toString(b.forward().line()),
          b.forward().externalText() + "/" + b.forward().protocolText(),
          b.member().name(),
          b.target().map(Object::toString).orElse(Addresses.format(b.member().address())),
          b.target().isEmpty()
              ? "not checked"
              : up ? "up" : "down (" + b.health().lastProblem() + ")");
    }
    StringBuilder text = new StringBuilder("\nbackends (the service's checks):\n").append(table);
    allDown.forEach(
        (line, down) -> {
          if (down) {
            text.append("every backend of line ")
                .append(line)
                .append(" is down; all stay in rotation\n");
          }
        });
    return text.toString();
  }

  static ArrayNode healthJson(List<BackendMonitor.BackendState> health) {
    ArrayNode list = ForwardJson.MAPPER.createArrayNode();
    for (BackendMonitor.BackendState b : health) {
      ObjectNode node = list.addObject();
      node.put("line", b.forward().line());
      node.put("name", b.member().name());
      node.put("address", Addresses.format(b.member().address()));
      node.put("checkPort", b.target().map(t -> t.port()).orElse(null));
      node.put("up", b.health().up());
      node.put("lastProblem", b.health().lastProblem());
    }
    return list;
  }

  static ObjectNode toJson(String backend, LiveStatus live) {
    List<LiveForward> forwards = live.forwards();
    ObjectNode root = ForwardJson.MAPPER.createObjectNode();
    root.put("backend", backend);
    live.connectionsUnknown().ifPresent(why -> root.put("connectionsUnknown", why));
    ArrayNode list = root.putArray("forwards");
    for (LiveForward f : forwards) {
      CompiledForward forward = f.forward();
      ObjectNode node = ForwardJson.compiled(forward);
      list.add(node);
      node.put("packets", f.packets());
      node.put("bytes", f.bytes());
      if (!f.backends().isEmpty()) {
        node.put("balance", forward.spread().map(sp -> sp.balance().keyword()).orElse(null));
        ArrayNode each = node.putArray("backends");
        for (LiveForward.BackendCounter b : f.backends()) {
          ObjectNode one = each.addObject();
          one.put("address", Addresses.format(b.backend()));
          one.put("packets", b.packets());
          one.put("bytes", b.bytes());
        }
      }
      if (f.connections() >= 0) {
        node.put("connections", f.connections());
      } else {
        node.putNull("connections");
      }
    }
    return root;
  }
}
