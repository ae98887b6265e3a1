package dev.portfwd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.doctor.BackendInstalledRules;
import dev.portfwd.doctor.Doctor;
import dev.portfwd.doctor.DoctorReport;
import dev.portfwd.doctor.ReportPrinter;
import dev.portfwd.engine.Applied;
import dev.portfwd.engine.ApplyRequest;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.EngineException;
import dev.portfwd.engine.LiveStatusCache;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.model.Addresses;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.Restorer;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableParser;
import dev.portfwd.table.TableReader;
import dev.portfwd.web.DashboardApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The dashboard's API over the service's one engine, in the CLI's {@code --json} shapes.
 *
 * <p>How an apply from the page and {@code watch} live together: the watched table file stays the
 * truth. An apply without confirmation writes the file (atomically) and applies it, both under the
 * state lock, so watch's own reload of the edit finds nothing left to do. An apply with a
 * confirmation time applies the text with the rollback timer armed and leaves the file alone; watch
 * checks nothing while a confirmation waits. Only the confirmation (the page's or {@code portfwd
 * confirm} through the service) writes the file, from the text kept in the state directory; if the
 * timer rolls back instead, the file still holds the table now back in force. A rollback of a
 * confirmed state writes the restored forwards back into the file, one line each, so watch does not
 * re-apply what was just rolled back.
 */
final class DashboardService implements DashboardApi {

  private final Invocation.ServiceState service;
  private final WatchedTableFile table;
  private final boolean managesSysctls;
  private final Clock clock;

  /**
   * The text of the apply that waits for confirmation, headed by its id, in the state directory:
   * written to the table file on confirm, also by a service restarted meanwhile.
   */
  private final WatchedTableFile pendingText;

  private static final String PENDING_HEADER =
      "# portfwd dashboard apply waiting for confirmation: ";

  DashboardService(Invocation.ServiceState service, boolean managesSysctls, Clock clock) {
    this.service = service;
    this.table = new WatchedTableFile(service.table());
    this.pendingText = pendingFile(service.store());
    this.managesSysctls = managesSysctls;
    this.clock = clock;
  }

  private Engine engine() {
    return service.engine();
  }

  private StateStore store() {
    return service.store();
  }

  @Override
  public JsonNode forwards() throws ApiException {
    LiveStatusCache.Reading reading;
    try {
      reading = service.liveStatus().read(service.statusMaxAge(), true);
    } catch (EngineException e) {
      throw new ApiException(500, e.getMessage());
    }
    ObjectNode root = StatusCommand.toJson(engine().backendName(), reading.status());
    List<BackendMonitor.BackendState> health =
        service.backends().map(BackendMonitor::backends).orElse(List.of());
    if (!health.isEmpty()) {
      root.set("backendHealth", StatusCommand.healthJson(health));
    }
    LiveTableLine.of(
            store(),
            service.session(),
            reading.status().forwards().stream().map(LiveForward::forward).toList())
        .addTo(root);
    root.put("readAt", reading.readAt().toString());
    return root;
  }

  @Override
  public JsonNode table() throws ApiException {
    ObjectNode root = ForwardJson.MAPPER.createObjectNode();
    root.put("path", table.path().toString());
    try {
      root.put("text", table.read().orElse(""));
    } catch (IOException e) {
      throw new ApiException(500, "cannot read " + table.path() + ": " + e.getMessage());
    }
    return root;
  }

  @Override
  public JsonNode check(String text) throws ApiException {
    return CheckCommand.toJson(parse(text));
  }

  /** Parses {@code text} as the watched file; as large as a table file may be (16 MiB). */
  private ParseResult parse(String text) throws ApiException {
    if (text.length() > TableReader.MAX_TABLE_BYTES
        || text.getBytes(StandardCharsets.UTF_8).length > TableReader.MAX_TABLE_BYTES) {
      throw new ApiException(
          413, "a table is at most " + TableReader.MAX_TABLE_BYTES + " bytes; nothing was changed");
    }
    return TableParser.parse(table.path().toString(), text);
  }

  /** The compiled table; a table with errors is refused with 422 and its diagnostics. */
  private DesiredState compile(String text) throws ApiException {
    ParseResult result = parse(text);
    if (result.hasErrors()) {
      throw new ApiException(
          422, TableLoader.summary(result) + "; nothing was changed", CheckCommand.toJson(result));
    }
    try {
      return Compiler.compile(result.table());
    } catch (CompileException e) {
      throw new ApiException(422, String.join("; ", e.problems()) + "; nothing was changed");
    }
  }

  @Override
  public JsonNode plan(String text) throws ApiException {
    DesiredState desired = compile(text);
    try {
      return planJson(engine().plan(desired, /* useRecord= */ true));
    } catch (EngineException e) {
      throw new ApiException(500, e.getMessage());
    }
  }

  @Override
  public JsonNode apply(String text, Optional<Duration> confirm) throws ApiException {
    DesiredState desired = compile(text);
    ApplyRequest request =
        new ApplyRequest(
            desired, table.path().toString(), /* useRecord= */ true, managesSysctls, confirm);
    synchronized (this) {
      try (StateStore.Lock lock = store().lock()) {
        if (store().pending().isPresent()) {
          throw new ApiException(
              409, "an apply waits for confirmation: confirm or roll it back first");
        }
        Optional<String> before = table.read();
        if (confirm.isEmpty()) {
          table.write(text);
        }
        Applied applied;
        try {
          applied = engine().apply(request);
        } catch (EngineException e) {
          if (confirm.isEmpty()) {
            restore(before);
          }
          throw new ApiException(500, e.getMessage());
        }
        if (applied.pending().isPresent()) {
          pendingText.write(PENDING_HEADER + applied.pending().get().id() + "\n" + text);
        }
        ObjectNode root = planJson(applied.plan());
        ArrayNode notes = root.putArray("notes");
        applied.notes().forEach(notes::add);
        ArrayNode warnings = root.putArray("warnings");
        applied.warnings().forEach(warnings::add);
        root.set("pending", applied.pending().map(DashboardService::pendingJson).orElse(null));
        return root;
      } catch (IOException e) {
        throw new ApiException(500, e.getMessage());
      }
    }
  }

  private void restore(Optional<String> before) throws IOException {
    if (before.isPresent()) {
      table.write(before.get());
    }
  }

  @Override
  public synchronized JsonNode confirm() throws ApiException {
    try {
      Confirmed confirmed = confirm(store(), table, clock);
      ObjectNode root = ForwardJson.MAPPER.createObjectNode();
      root.put("confirmed", confirmed.confirmation().id());
      root.put("applied", confirmed.confirmation().applied());
      root.put("tableWritten", confirmed.tableWritten());
      return root;
    } catch (EngineException e) {
      throw new ApiException(409, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, e.getMessage());
    }
  }

  /**
   * What {@link #confirm(StateStore, WatchedTableFile, Clock)} kept, and whether it wrote the file.
   */
  record Confirmed(PendingConfirmation confirmation, boolean tableWritten) {}

  /**
   * Keeps the apply that waits in {@code store}; when the dashboard made it, first writes its text
   * to the watched {@code table}, so watch keeps what was confirmed. {@code portfwd confirm} run
   * through the service uses it too.
   *
   * @throws EngineException when nothing waits or its time is over; the file is as it was
   */
  static Confirmed confirm(StateStore store, WatchedTableFile table, Clock clock)
      throws EngineException, IOException {
    WatchedTableFile waiting = pendingFile(store);
    try (StateStore.Lock lock = store.lock()) {
      Optional<PendingConfirmation> pending = store.pending();
      Optional<String> before = table.read();
      Optional<String> text = Optional.empty();
      if (pending.isPresent()) {
        String header = PENDING_HEADER + pending.get().id() + "\n";
        text =
            waiting.read().filter(t -> t.startsWith(header)).map(t -> t.substring(header.length()));
      }
      if (text.isPresent()) {
        table.write(text.get());
      }
      PendingConfirmation confirmed;
      try {
        confirmed = Engine.confirm(store, clock);
      } catch (EngineException e) {
        if (text.isPresent() && before.isPresent()) {
          table.write(before.get());
        }
        throw e;
      }
      Files.deleteIfExists(waiting.path());
      return new Confirmed(confirmed, text.isPresent());
    }
  }

  private static WatchedTableFile pendingFile(StateStore store) {
    return new WatchedTableFile(store.dir().resolve("dashboard-pending.table"));
  }

  @Override
  public synchronized JsonNode rollback() throws ApiException {
    try (StateStore.Lock lock = store().lock()) {
      boolean undoingPending = store().pending().isPresent();
      Restorer.Result result;
      try {
        result = engine().rollback();
      } catch (EngineException e) {
        throw new ApiException(409, e.getMessage());
      }
      Files.deleteIfExists(pendingText.path());
      if (!undoingPending) {
        // The file still names the state just left: watch would put it back at its next check.
        table.write(tableText(result.restored().forwards(), result.restored().appliedAt()));
      }
      ObjectNode root = ForwardJson.MAPPER.createObjectNode();
      root.put("message", result.message());
      root.put("tableWritten", !undoingPending);
      root.set("changes", changesJson(result.plan()));
      return root;
    } catch (IOException e) {
      throw new ApiException(500, e.getMessage());
    }
  }

  /** Forwards as table lines, one per compiled forward, for a rollback's rewrite of the file. */
  static String tableText(DesiredState forwards, Instant appliedAt) {
    StringBuilder text =
        new StringBuilder(
            "# Restored by a rollback from the dashboard to the state applied at "
                + appliedAt
                + ".\n# Ext-port  Int-IP  Int-port  Proto  Options  # Description\n");
    for (CompiledForward forward : forwards.forwards()) {
      String ports = forward.externalPorts().toString();
      text.append(forward.externalAddress().map(a -> Addresses.withPort(a, ports)).orElse(ports))
          .append(' ')
          .append(Addresses.format(forward.backend()))
          .append(' ')
          .append(forward.backendPorts())
          .append(' ')
          .append(forward.protocol().keyword());
      if (!forward.optionsText().isEmpty()) {
        text.append(' ').append(forward.optionsText());
      }
      if (!forward.description().isEmpty()) {
        text.append(" # ").append(forward.description().replace('\n', ' ').replace('\r', ' '));
      }
      text.append('\n');
    }
    return text.toString();
  }

  @Override
  public JsonNode doctor() throws ApiException {
    ProcessCommandRunner runner = new ProcessCommandRunner();
    try {
      BackendInstalledRules installed =
          new BackendInstalledRules(BackendChoice.auto.create(runner));
      ParseResult parsed = TableParser.parse(table.path().toString(), table.read().orElse(""));
      var forwards = parsed.hasErrors() ? installed.installedForwards() : parsed.table();
      DoctorReport report =
          new Doctor(runner, installed, Duration.ofSeconds(2)).examine(forwards, true);
      return ReportPrinter.json(report);
    } catch (BackendException | IOException e) {
      throw new ApiException(500, "cannot inspect the host: " + e.getMessage());
    }
  }

  @Override
  public JsonNode history() throws ApiException {
    ObjectNode root = ForwardJson.MAPPER.createObjectNode();
    try {
      ArrayNode states = root.putArray("states");
      boolean first = true;
      for (StateStore.Entry entry : store().latest(StateStore.KEEP)) {
        ObjectNode node = states.addObject();
        node.put("generation", entry.generation());
        node.put("source", entry.snapshot().source());
        node.put("appliedAt", entry.snapshot().appliedAt().toString());
        node.put("backend", entry.snapshot().backend());
        node.put("forwards", entry.snapshot().lines().size());
        node.put("current", first);
        first = false;
      }
      root.set("pending", store().pending().map(DashboardService::pendingJson).orElse(null));
      return root;
    } catch (IOException e) {
      throw new ApiException(500, "cannot read " + store().dir() + ": " + e.getMessage());
    }
  }

  private static ObjectNode pendingJson(PendingConfirmation pending) {
    ObjectNode node = ForwardJson.MAPPER.createObjectNode();
    node.put("id", pending.id());
    node.put("deadline", pending.deadline().toString());
    node.put("generation", pending.generation());
    node.put("applied", pending.applied());
    return node;
  }

  /** A plan as JSON: each change with its kind, the forward before and after, and one line. */
  static ObjectNode planJson(Plan plan) {
    ObjectNode root = ForwardJson.MAPPER.createObjectNode();
    root.put("backend", plan.backend());
    root.put("forwards", plan.desired().forwards().size());
    root.put("empty", plan.isEmpty());
    root.put("summary", plan.isEmpty() ? "no changes" : plan.summary());
    root.set("changes", changesJson(plan));
    return root;
  }

  private static ArrayNode changesJson(Plan plan) {
    ArrayNode changes = ForwardJson.MAPPER.createArrayNode();
    for (ForwardChange change : plan.changes()) {
      ObjectNode node = changes.addObject();
      node.put("kind", change.kind().name().toLowerCase(java.util.Locale.ROOT));
      node.put("text", change.describe());
      node.set("before", change.before().map(DashboardService::compiledJson).orElse(null));
      node.set("after", change.after().map(DashboardService::compiledJson).orElse(null));
    }
    return changes;
  }

  private static ObjectNode compiledJson(CompiledForward forward) {
    ObjectNode node = ForwardJson.MAPPER.createObjectNode();
    node.put("externalAddress", forward.externalAddress().map(Addresses::format).orElse(null));
    node.set("externalPorts", ForwardJson.ports(forward.externalPorts()));
    node.put("protocol", forward.protocol().keyword());
    node.put("backend", Addresses.format(forward.backend()));
    node.set("backendPorts", ForwardJson.ports(forward.backendPorts()));
    ArrayNode from = node.putArray("from");
    forward.allowedSources().forEach(c -> from.add(c.toString()));
    node.put("masquerade", forward.masquerade());
    node.put("description", forward.description());
    return node;
  }
}
