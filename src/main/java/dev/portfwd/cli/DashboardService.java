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
import dev.portfwd.engine.RestoredState;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.pool.TableNames;
import dev.portfwd.state.PendingConfirmation;
import dev.portfwd.state.Restorer;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.Diagnostic;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.Severity;
import dev.portfwd.table.TableParser;
import dev.portfwd.table.TableReader;
import dev.portfwd.web.DashboardApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The dashboard's API over the service's one engine, in the CLI's {@code --json} shapes.
 *
 * <p>How an apply from the page and {@code watch} live together: the watched table file stays the
 * truth. An apply without confirmation writes the file (atomically) and applies it, both under the
 * state lock, so watch's own reload of the edit finds nothing left to do. An apply with a
 * confirmation time applies the text with the rollback timer armed and leaves the file alone; watch
 * checks nothing while a confirmation waits. Only the confirmation writes the file, from the text
 * kept in the state directory ({@link WaitingTableText}), whoever confirms: the page, {@code
 * portfwd confirm} through the service or {@code --direct}; if the timer rolls back instead, the
 * file still holds the table now back in force. A rollback of a confirmed state, or to a chosen
 * recorded state, writes the restored forwards into the file, one line each, so watch does not
 * re-apply what was just rolled back; {@code portfwd rollback} in the service goes through the same
 * code.
 */
final class DashboardService implements DashboardApi {

  private final Invocation.ServiceState service;
  private final WatchedTableFile table;
  private final boolean managesSysctls;
  private final Clock clock;
  private final Function<ForwardTable, TableNames.Resolved> resolveNames;

  DashboardService(Invocation.ServiceState service, boolean managesSysctls, Clock clock) {
    this(service, managesSysctls, clock, BackendNames::resolve);
  }

  /**
   * @param resolveNames the one-shot look-up of a table's backend names the CLI does ({@link
   *     BackendNames#resolve(ForwardTable)}); tests give a fake resolver
   */
  DashboardService(
      Invocation.ServiceState service,
      boolean managesSysctls,
      Clock clock,
      Function<ForwardTable, TableNames.Resolved> resolveNames) {
    this.service = service;
    this.table = new WatchedTableFile(service.table());
    this.managesSysctls = managesSysctls;
    this.clock = clock;
    this.resolveNames = resolveNames;
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
      WatchedTableFile.Versioned contents = table.readVersioned();
      root.put("text", contents.text().orElse(""));
      root.put("version", contents.version());
    } catch (IOException e) {
      throw new ApiException(500, "cannot read " + table.path() + ": " + e.getMessage());
    }
    return root;
  }

  /** Like {@code portfwd check}: a backend name that does not resolve here is a warning. */
  @Override
  public JsonNode check(String text) throws ApiException {
    ParseResult result = parse(text);
    if (result.hasErrors()) {
      return CheckCommand.toJson(result);
    }
    return CheckCommand.toJson(
        BackendNames.withDiagnostics(result, resolveNames.apply(result.table()), Severity.WARNING));
  }

  /** Parses {@code text} as the watched file; as large as a table file may be (16 MiB). */
  private ParseResult parse(String text) throws ApiException {
    if (text.length() > TableReader.MAX_TABLE_BYTES
        || text.getBytes(StandardCharsets.UTF_8).length > TableReader.MAX_TABLE_BYTES) {
      throw new ApiException(
          413, "a table is at most " + TableReader.MAX_TABLE_BYTES + " bytes; nothing was changed");
    }
    Optional<Diagnostic> surrogate = loneSurrogate(table.path().toString(), text);
    if (surrogate.isPresent()) {
      ParseResult refused =
          new ParseResult(
              new ForwardTable(table.path().toString(), List.of()),
              List.of(surrogate.get()),
              /* errorCount= */ 1,
              /* warningCount= */ 0);
      throw new ApiException(
          422,
          surrogate.get().file()
              + ":"
              + surrogate.get().line()
              + ":"
              + surrogate.get().column()
              + ": "
              + surrogate.get().message()
              + "; nothing was changed",
          CheckCommand.toJson(refused));
    }
    return TableParser.parse(table.path().toString(), text);
  }

  /**
   * The first half of a UTF-16 surrogate pair without its other half in {@code text}, as an error
   * at its line and column (counted as the table parser counts them). JSON's {@code "\\ud800"} can
   * carry one, a file read as UTF-8 cannot; no UTF-8 encoder can write it, so an apply would fail
   * only when writing nft's script or the table file.
   */
  static Optional<Diagnostic> loneSurrogate(String source, String text) {
    int line = 1;
    int lineStart = text.startsWith("\uFEFF") ? 1 : 0;
    for (int i = lineStart; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        line++;
        lineStart = i + 1;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++; // a pair: one character beyond the BMP
      } else if (Character.isSurrogate(c)) {
        int lineEnd = lineStart;
        while (lineEnd < text.length()
            && text.charAt(lineEnd) != '\n'
            && text.charAt(lineEnd) != '\r') {
          lineEnd++;
        }
        return Optional.of(
            new Diagnostic(
                source,
                line,
                i - lineStart + 1,
                Severity.ERROR,
                String.format(
                    "a lone UTF-16 surrogate (\\u%04X) is not a character: a table is Unicode text",
                    (int) c),
                text.substring(lineStart, lineEnd)));
      }
    }
    return Optional.empty();
  }

  /**
   * The compiled table as the kernel should hold it, as watch would compile it: names resolved
   * (like {@code portfwd apply}), then without the backends the service's checks took out ({@link
   * BackendMonitor#effective(ForwardTable, java.util.Map)}). A table with errors, or with a name
   * that does not resolve, is refused with 422 and its diagnostics.
   */
  private DesiredState compile(String text) throws ApiException {
    ParseResult result = parse(text);
    refuseErrors(result);
    TableNames.Resolved names = resolveNames.apply(result.table());
    refuseErrors(BackendNames.withDiagnostics(result, names, Severity.ERROR));
    ForwardTable effective =
        service
            .backends()
            .map(monitor -> monitor.effective(result.table(), names.names()))
            .orElseGet(() -> names.table(result.table()));
    try {
      return Compiler.compile(effective);
    } catch (CompileException e) {
      throw new ApiException(422, String.join("; ", e.problems()) + "; nothing was changed");
    }
  }

  private static void refuseErrors(ParseResult result) throws ApiException {
    if (result.hasErrors()) {
      throw new ApiException(
          422, TableLoader.summary(result) + "; nothing was changed", CheckCommand.toJson(result));
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

  /** The refusal of an apply whose base is no longer the file's version. */
  static final String STALE_BASE =
      "the table changed since it was loaded: reload it, then apply again; nothing was changed";

  @Override
  public JsonNode apply(String text, Optional<String> base, Optional<Duration> confirm)
      throws ApiException {
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
        // Under the state lock, as the write below: no other apply, confirmation or rollback
        // (all write the file under it) lands between this look and the write. A hand edit takes
        // no lock; one saved in that instant is still lost, as before.
        String current = table.version();
        if (base.isPresent() && !base.get().equals(current)) {
          ObjectNode details = ForwardJson.MAPPER.createObjectNode();
          details.put("version", current);
          throw new ApiException(409, STALE_BASE, details);
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
          WaitingTableText.write(store(), applied.pending().get().id(), table.path(), text);
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
      Confirmed confirmed = confirm(store(), clock);
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

  /** What {@link #confirm(StateStore, Clock)} kept, and whether it wrote the table file. */
  record Confirmed(PendingConfirmation confirmation, boolean tableWritten) {}

  /**
   * Keeps the change that waits in {@code store}; when the dashboard made it, first writes its text
   * to the table file it was made for ({@link WaitingTableText}), so watch keeps what was
   * confirmed. The page, {@code portfwd confirm} through the service and {@code portfwd confirm
   * --direct} all confirm here.
   *
   * @throws EngineException when nothing waits or its time is over; the file is as it was
   */
  static Confirmed confirm(StateStore store, Clock clock) throws EngineException, IOException {
    try (StateStore.Lock lock = store.lock()) {
      Optional<PendingConfirmation> pending = store.pending();
      Optional<WaitingTableText.Waiting> waiting =
          pending.isPresent() ? WaitingTableText.read(store, pending.get().id()) : Optional.empty();
      Optional<WatchedTableFile> table = waiting.map(w -> new WatchedTableFile(w.table()));
      Optional<String> before = table.isPresent() ? table.get().read() : Optional.empty();
      if (waiting.isPresent()) {
        table.get().write(waiting.get().text());
      }
      PendingConfirmation confirmed;
      try {
        confirmed = Engine.confirm(store, clock);
      } catch (EngineException e) {
        if (table.isPresent() && before.isPresent()) {
          table.get().write(before.get());
        }
        throw e;
      }
      WaitingTableText.delete(store);
      return new Confirmed(confirmed, waiting.isPresent());
    }
  }

  /**
   * After {@code pending} was settled at a prompt ({@code portfwd rollback --confirm} in the
   * service): when it was {@code confirmed}, the text a rollback left waiting for it goes into the
   * watched file, as {@link #confirm} does; either way the waiting text is dropped.
   *
   * @return true when the file was written
   */
  static boolean settleWaitingText(StateStore store, PendingConfirmation pending, boolean confirmed)
      throws IOException {
    try (StateStore.Lock lock = store.lock()) {
      Optional<WaitingTableText.Waiting> waiting = WaitingTableText.read(store, pending.id());
      if (waiting.isPresent() && confirmed) {
        new WatchedTableFile(waiting.get().table()).write(waiting.get().text());
      }
      WaitingTableText.delete(store);
      return waiting.isPresent() && confirmed;
    }
  }

  @Override
  public synchronized JsonNode rollback(OptionalLong state, Optional<Duration> confirm)
      throws ApiException {
    try {
      RolledBack result = rollback(engine(), store(), table, state, managesSysctls, confirm);
      ObjectNode root = ForwardJson.MAPPER.createObjectNode();
      root.put("message", result.message());
      root.put("tableWritten", result.tableWritten());
      root.set("changes", changesJson(result.plan()));
      root.set("pending", result.pending().map(DashboardService::pendingJson).orElse(null));
      return root;
    } catch (EngineException e) {
      throw new ApiException(409, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, e.getMessage());
    }
  }

  /**
   * What {@link #rollback(Engine, StateStore, WatchedTableFile, OptionalLong, boolean, Optional)}
   * did.
   *
   * @param notes other changes made (a forwarding sysctl switched on)
   * @param tableWritten true when the watched file now holds the restored forwards
   * @param pending the confirmation the change waits for; the file is written when it comes
   */
  record RolledBack(
      String message,
      Plan plan,
      List<String> notes,
      boolean tableWritten,
      Optional<PendingConfirmation> pending) {

    static RolledBack of(Restorer.Result result, boolean tableWritten) {
      return new RolledBack(
          result.message(), result.plan(), List.of(), tableWritten, Optional.empty());
    }

    static RolledBack of(RestoredState restored, boolean tableWritten) {
      return new RolledBack(
          restored.message(),
          restored.applied().plan(),
          restored.applied().notes(),
          tableWritten,
          restored.applied().pending());
    }
  }

  /**
   * A rollback in the service, for the page and for {@code portfwd rollback} through the control
   * socket: with no {@code state}, undoes the change that waits or returns to the previous state;
   * with one, returns to that recorded state ({@link Engine#rollbackTo}). With {@code confirm} and
   * no {@code state}, the previous state is that recorded state ({@link Engine#previousState}), so
   * the rollback waits for its confirmation as {@code rollback --confirm} does; while an apply
   * waits, that is refused (undo it without a confirmation time). Then the watched {@code table} is
   * made to say what is in force, so watch does not put back what was just left: the restored
   * forwards are written to it (one line each), or, while a confirmation waits, kept for the
   * confirmation to write. Undoing a change that waited leaves the file as it is: it still holds
   * what is in force again.
   *
   * @throws EngineException when the engine refused or failed; the file is as it was
   */
  static RolledBack rollback(
      Engine engine,
      StateStore store,
      WatchedTableFile table,
      OptionalLong state,
      boolean managesSysctls,
      Optional<Duration> confirm)
      throws EngineException, IOException {
    try (StateStore.Lock lock = store.lock()) {
      if (state.isEmpty() && confirm.isPresent()) {
        // As 'rollback --confirm' without --to: the state before the live one, with the timer
        // armed; read under the lock, so no change lands between choosing it and going there.
        state = OptionalLong.of(engine.previousState());
      }
      if (state.isEmpty()) {
        boolean undoingPending = store.pending().isPresent();
        Restorer.Result result = engine.rollback();
        WaitingTableText.delete(store);
        if (!undoingPending) {
          table.write(tableText(result.restored().forwards(), result.restored().appliedAt()));
        }
        return RolledBack.of(result, !undoingPending);
      }
      RestoredState restored = engine.rollbackTo(state.getAsLong(), managesSysctls, confirm);
      String text = tableText(restored.applied().plan().desired(), restored.target().appliedAt());
      Optional<PendingConfirmation> pending = restored.applied().pending();
      if (pending.isPresent()) {
        WaitingTableText.write(store, pending.get().id(), table.path(), text);
      } else {
        table.write(text);
      }
      return RolledBack.of(restored, pending.isEmpty());
    }
  }

  /** Forwards as table lines, one per compiled forward, for a rollback's rewrite of the file. */
  static String tableText(DesiredState forwards, Instant appliedAt) {
    StringBuilder text =
        new StringBuilder(
            "# Written by a rollback to the state applied at "
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
      ForwardTable forwards = parsed.hasErrors() ? installed.installedForwards() : parsed.table();
      Duration timeout = Duration.ofSeconds(2);
      // As `portfwd doctor FILE` examines it: names resolved once, one that fails a finding.
      DoctorReport report =
          DoctorCommand.examine(
              new Doctor(runner, installed, timeout),
              forwards,
              resolveNames.apply(forwards),
              /* probing= */ true,
              timeout);
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
      node.set("before", change.before().map(ForwardJson::compiled).orElse(null));
      node.set("after", change.after().map(ForwardJson::compiled).orElse(null));
    }
    return changes;
  }
}
