package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portfwd.compile.Compiler;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.FakeHostEngines;
import dev.portfwd.engine.LiveStatusCache;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.pool.NameResolver;
import dev.portfwd.pool.Resolution;
import dev.portfwd.state.FakeBackend;
import dev.portfwd.state.FakeSysctls;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.TableParser;
import dev.portfwd.testing.Conditions;
import dev.portfwd.web.DashboardApi.ApiException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How the dashboard's applies, confirmations and rollbacks keep the watched table file in step. */
class DashboardServiceTest {

  private static final String OLD = "# the old table\n1000 192.0.2.2 80 tcp # old\n";
  private static final String NEW = "1000 192.0.2.2 80 tcp # new\n1001 192.0.2.3 80 udp # added\n";

  @TempDir Path dir;

  private final FakeBackend backend = new FakeBackend();
  private Path table;
  private StateStore store;
  private Engine engine;
  private DashboardService service;

  @BeforeEach
  void setUp() throws Exception {
    table = Files.writeString(dir.resolve("ports.txt"), OLD);
    store = new StateStore(dir.resolve("state"));
    engine = FakeHostEngines.engine(backend, new FakeSysctls(), store, warning -> {});
    service = newService();
    service.apply(OLD, Optional.empty(), Optional.empty()); // what watch applied at its start
  }

  private DashboardService newService() {
    KernelSession session = KernelSession.of(FakeHostEngines.NO_CONNTRACK, backend);
    return new DashboardService(
        new Invocation.ServiceState(session, store, engine, table),
        /* managesSysctls= */ true,
        Clock.systemUTC());
  }

  /** A service whose backend names {@code names} resolves, with the service's checks if given. */
  private DashboardService withNames(NameResolver names, Optional<BackendMonitor> checks) {
    KernelSession session = KernelSession.of(FakeHostEngines.NO_CONNTRACK, backend);
    return new DashboardService(
        new Invocation.ServiceState(
            session,
            store,
            engine,
            table,
            checks,
            LiveStatusCache.of(engine, store, LiveStatusCache.NO_BACKGROUND, Clock.systemUTC()),
            Invocation.DEFAULT_STATUS_MAX_AGE),
        /* managesSysctls= */ true,
        Clock.systemUTC(),
        written -> BackendNames.resolve(written, names));
  }

  private static final NameResolver NO_NAMES = (name, family) -> Resolution.failed("NXDOMAIN");

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void anApplyWithoutConfirmationWritesTheFileAndApplies() throws Exception {
    JsonNode answer = service.apply(NEW, Optional.empty(), Optional.empty());
    assertThat(Files.readString(table)).isEqualTo(NEW);
    assertThat(answer.get("summary").asText()).isEqualTo("1 to add, 1 to change, 0 to remove");
    assertThat(answer.get("pending").isNull()).isTrue();
    assertThat(backend.installed).isEqualTo(Compiler.compile(TableParser.parse("t", NEW).table()));
  }

  @Test
  void theTableComesWithTheSha256OfTheFileAsItsVersion() throws Exception {
    JsonNode loaded = service.table();
    assertThat(loaded.get("text").asText()).isEqualTo(OLD);
    assertThat(loaded.get("version").asText())
        .isEqualTo(
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(OLD.getBytes(StandardCharsets.UTF_8))));
    Files.delete(table);
    assertThat(service.table().get("version").asText()).as("no file").isEmpty();
  }

  @Test
  void anApplyFromAVersionNoLongerInTheFileIsRefusedAndChangesNothing() throws Exception {
    String loaded = service.table().get("version").asText();
    String otherEdit = OLD + "1002 192.0.2.4 80 tcp # another user's\n";
    service.apply(otherEdit, Optional.empty(), Optional.empty());

    for (Optional<Duration> confirm :
        List.of(Optional.<Duration>empty(), Optional.of(Duration.ofSeconds(60)))) {
      assertThatThrownBy(() -> service.apply(NEW, Optional.of(loaded), confirm))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(409);
                assertThat(e.details().get().get("version").asText())
                    .as("the version the page reloads")
                    .isNotEqualTo(loaded);
                assertThat(e.getMessage())
                    .startsWith(
                        "the table changed since it was loaded: reload it, then apply again");
              });
    }
    assertThat(Files.readString(table)).isEqualTo(otherEdit);
    assertThat(backend.installed)
        .isEqualTo(Compiler.compile(TableParser.parse("t", otherEdit).table()));
    assertThat(store.pending()).isEmpty();
  }

  @Test
  void anApplyFromTheVersionInTheFileApplies() throws Exception {
    Files.writeString(table, OLD + "# a hand edit\n");
    String reloaded = service.table().get("version").asText();
    JsonNode answer = service.apply(NEW, Optional.of(reloaded), Optional.empty());
    assertThat(answer.get("summary").asText()).isEqualTo("1 to add, 1 to change, 0 to remove");
    assertThat(Files.readString(table)).isEqualTo(NEW);
    assertThat(backend.installed).isEqualTo(Compiler.compile(TableParser.parse("t", NEW).table()));
  }

  @Test
  void anApplyWithoutAVersionReplacesWhateverTheFileHolds() throws Exception {
    service.apply(
        OLD + "1002 192.0.2.4 80 tcp # another user's\n", Optional.empty(), Optional.empty());
    JsonNode answer = service.apply(NEW, Optional.empty(), Optional.empty());
    assertThat(answer.get("summary").asText()).isEqualTo("1 to add, 1 to change, 1 to remove");
    assertThat(Files.readString(table)).isEqualTo(NEW);
    assertThat(backend.installed).isEqualTo(Compiler.compile(TableParser.parse("t", NEW).table()));
  }

  @Test
  void anApplyWithConfirmationWritesTheFileOnlyWhenConfirmed() throws Exception {
    JsonNode answer = service.apply(NEW, Optional.empty(), Optional.of(Duration.ofSeconds(60)));
    assertThat(answer.get("pending").get("id").asText()).isNotEmpty();
    assertThat(Files.readString(table)).as("while it waits").isEqualTo(OLD);
    assertThatThrownBy(() -> service.apply(OLD, Optional.empty(), Optional.empty()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
    JsonNode confirmed = service.confirm();
    assertThat(confirmed.get("tableWritten").asBoolean()).isTrue();
    assertThat(Files.readString(table)).isEqualTo(NEW);
    assertThat(store.pending()).isEmpty();
  }

  @Test
  void aServiceRestartedWhileAConfirmationWaitsStillWritesTheFileOnConfirm() throws Exception {
    service.apply(NEW, Optional.empty(), Optional.of(Duration.ofSeconds(60)));
    DashboardService restarted = newService();
    restarted.confirm();
    assertThat(Files.readString(table)).isEqualTo(NEW);
  }

  @Test
  void portfwdConfirmInTheServiceWritesTheDashboardsTableToo() throws Exception {
    service.apply(NEW, Optional.empty(), Optional.of(Duration.ofSeconds(60)));
    DashboardService.Confirmed confirmed = DashboardService.confirm(store, Clock.systemUTC());
    assertThat(confirmed.tableWritten()).isTrue();
    assertThat(Files.readString(table)).isEqualTo(NEW);
  }

  @Test
  void portfwdConfirmDirectWritesTheDashboardsTableToTheFileTheServiceWatches() throws Exception {
    service.apply(NEW, Optional.empty(), Optional.of(Duration.ofSeconds(60)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Portfwd.newCommandLine(InputStream.nullInputStream());
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));

    int exit = commandLine.execute("confirm", "--direct", "--state-dir", store.dir().toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("confirmed: keeping ");
    assertThat(store.pending()).isEmpty();
    assertThat(Files.readString(table)).as("the confirmed state is complete").isEqualTo(NEW);
    assertThat(WaitingTableText.file(store)).doesNotExist();
  }

  @Test
  void aConfirmationThatComesTooLateLeavesTheFileAsItWas() throws Exception {
    service.apply(NEW, Optional.empty(), Optional.of(Duration.ofSeconds(60)));
    Clock late = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
    assertThatThrownBy(() -> DashboardService.confirm(store, late))
        .hasMessageContaining("too late");
    assertThat(Files.readString(table)).isEqualTo(OLD);
  }

  @Test
  void aRolledBackUnconfirmedApplyLeavesTheFileAsItWas() throws Exception {
    service.apply(NEW, Optional.empty(), Optional.of(Duration.ofSeconds(60)));
    JsonNode rolledBack = service.rollback(OptionalLong.empty(), Optional.empty());
    assertThat(rolledBack.get("tableWritten").asBoolean()).isFalse();
    assertThat(Files.readString(table)).isEqualTo(OLD);
    assertThat(backend.installed).isEqualTo(Compiler.compile(TableParser.parse("t", OLD).table()));
    assertThatThrownBy(() -> service.confirm())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
  }

  @Test
  void aRollbackOfAConfirmedStateWritesTheRestoredForwardsBackToTheFile() throws Exception {
    service.apply(NEW, Optional.empty(), Optional.empty());
    JsonNode rolledBack = service.rollback(OptionalLong.empty(), Optional.empty());
    assertThat(rolledBack.get("tableWritten").asBoolean()).isTrue();
    String written = Files.readString(table);
    assertThat(written).contains("1000 192.0.2.2 80 tcp # old").doesNotContain("1001");
    // What the file now says is exactly what is in force: watch finds nothing to change.
    var reread = TableParser.parse("t", written);
    assertThat(reread.hasErrors()).as(written).isFalse();
    assertThat(Compiler.compile(reread.table())).isEqualTo(backend.installed);
  }

  @Test
  void aRollbackToAChosenStateAppliesItAndWritesItsForwardsToTheFile() throws Exception {
    long old = store.current().orElseThrow().generation();
    service.apply(NEW, Optional.empty(), Optional.empty());
    service.apply("1002 192.0.2.4 80 tcp # third\n", Optional.empty(), Optional.empty());

    JsonNode rolledBack = service.rollback(OptionalLong.of(old), Optional.empty());

    assertThat(rolledBack.get("tableWritten").asBoolean()).isTrue();
    assertThat(rolledBack.get("message").asText()).startsWith("rolled back to state " + old);
    assertThat(backend.installed).isEqualTo(Compiler.compile(TableParser.parse("t", OLD).table()));
    var reread = TableParser.parse("t", Files.readString(table));
    assertThat(Compiler.compile(reread.table())).isEqualTo(backend.installed);
    assertThat(service.history().get("states").get(0).get("source").asText())
        .endsWith("(rolled back to state " + old + ")");
  }

  @Test
  void aRollbackToAChosenStateWithConfirmationWritesTheFileOnlyWhenConfirmed() throws Exception {
    long old = store.current().orElseThrow().generation();
    service.apply(NEW, Optional.empty(), Optional.empty());

    JsonNode waiting = service.rollback(OptionalLong.of(old), Optional.of(Duration.ofSeconds(60)));

    assertThat(waiting.get("pending").get("id").asText()).isNotEmpty();
    assertThat(waiting.get("tableWritten").asBoolean()).isFalse();
    assertThat(Files.readString(table)).as("while it waits").isEqualTo(NEW);
    assertThat(service.confirm().get("tableWritten").asBoolean()).isTrue();
    var reread = TableParser.parse("t", Files.readString(table));
    assertThat(Compiler.compile(reread.table()))
        .isEqualTo(Compiler.compile(TableParser.parse("t", OLD).table()));
  }

  @Test
  void aRollbackWithConfirmationButNoStateGoesToThePreviousStateAndWaits() throws Exception {
    long old = store.current().orElseThrow().generation();
    service.apply(NEW, Optional.empty(), Optional.empty());

    JsonNode waiting = service.rollback(OptionalLong.empty(), Optional.of(Duration.ofSeconds(60)));

    assertThat(waiting.get("message").asText()).startsWith("rolled back to state " + old);
    assertThat(waiting.get("pending").get("id").asText()).isNotEmpty();
    assertThat(store.pending()).isPresent();
    assertThat(backend.installed).isEqualTo(Compiler.compile(TableParser.parse("t", OLD).table()));
    assertThat(Files.readString(table)).as("while it waits").isEqualTo(NEW);
    service.rollback(OptionalLong.empty(), Optional.empty()); // not confirmed: undone
    assertThat(backend.installed).isEqualTo(Compiler.compile(TableParser.parse("t", NEW).table()));
  }

  @Test
  void aTableWithALoneSurrogateIsRefusedAtItsPlaceByEveryCallThatTakesATable() throws Exception {
    String text = "1000 192.0.2.2 80 tcp # ok\n1001 192.0.2.3 80 tcp # bad \ud800 here\n";
    int applies = backend.applied.size();
    for (String call : new String[] {"check", "plan", "apply", "apply --confirm"}) {
      assertThatThrownBy(
              () -> {
                switch (call) {
                  case "check" -> service.check(text);
                  case "plan" -> service.plan(text);
                  case "apply" -> service.apply(text, Optional.empty(), Optional.empty());
                  default ->
                      service.apply(text, Optional.empty(), Optional.of(Duration.ofSeconds(60)));
                }
              })
          .as(call)
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(422);
                assertThat(e.getMessage()).contains("ports.txt:2:29: ").contains("surrogate");
                JsonNode diagnostic = e.details().orElseThrow().get("diagnostics").get(0);
                assertThat(diagnostic.get("line").asInt()).isEqualTo(2);
                assertThat(diagnostic.get("column").asInt()).isEqualTo(29);
              });
    }
    assertThat(backend.applied).hasSize(applies);
    assertThat(Files.readString(table)).isEqualTo(OLD);
    JsonNode paired = service.check("1000 192.0.2.2 80 tcp # \ud83d\ude00 smile\n");
    assertThat(paired.get("valid").asBoolean()).as("a pair is one character").isTrue();
  }

  @Test
  void aRollbackToAnUnknownStateIsRefusedAndChangesNothing() throws Exception {
    service.apply(NEW, Optional.empty(), Optional.empty());
    int applies = backend.applied.size();
    assertThatThrownBy(() -> service.rollback(OptionalLong.of(77), Optional.empty()))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.getMessage()).contains("no state 77 is recorded");
            });
    assertThat(backend.applied).hasSize(applies);
    assertThat(Files.readString(table)).isEqualTo(NEW);
  }

  @Test
  void aTableWithErrorsIsRefusedWithItsDiagnosticsAndChangesNothing() throws Exception {
    int applies = backend.applied.size();
    assertThatThrownBy(
            () -> service.apply("1000 192.0.2.2 80 tpc\n", Optional.empty(), Optional.empty()))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.details().orElseThrow().get("diagnostics").get(0).get("column").asInt())
                  .isEqualTo(19);
            });
    assertThat(Files.readString(table)).isEqualTo(OLD);
    assertThat(backend.applied).hasSize(applies);
  }

  @Test
  void aFailedApplyPutsTheOldTextBack() throws Exception {
    backend.failNext = 1;
    assertThatThrownBy(() -> service.apply(NEW, Optional.empty(), Optional.empty()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(500));
    assertThat(Files.readString(table)).isEqualTo(OLD);
  }

  @Test
  void checkAndPlanChangeNothing() throws Exception {
    JsonNode check = service.check(NEW);
    assertThat(check.get("valid").asBoolean()).isTrue();
    assertThat(check.get("forwards")).hasSize(2);
    JsonNode plan = service.plan(NEW);
    assertThat(plan.get("changes").get(0).get("kind").asText()).isIn("add", "change");
    assertThat(Files.readString(table)).isEqualTo(OLD);
    assertThat(service.history().get("states").get(0).get("current").asBoolean()).isTrue();
  }

  @Test
  void forwardsCarryTheirCountersAndEachBackendsHealthFromTheServicesChecks() throws Exception {
    String pooled = "1000 192.0.2.2,192.0.2.18 80 tcp # pool\n";
    service.apply(pooled, Optional.empty(), Optional.empty());
    // The service's checks: 192.0.2.18 refuses, and one failed check takes it out (fall 1).
    try (BackendMonitor monitor =
        new BackendMonitor(
            (name, family) -> Resolution.failed("no names here"),
            (target, timeout) ->
                target.toString().startsWith("192.0.2.18:") ? "connection refused" : null,
            new BackendMonitor.Settings(
                Duration.ofMillis(50), 1, 1, Duration.ofSeconds(5), Duration.ofSeconds(300)),
            System::nanoTime,
            (effective, why) -> {})) {
      monitor.table(TableParser.parse(table.toString(), pooled).table());
      monitor.start();
      Conditions.await(
          "the check finds 192.0.2.18 down",
          Duration.ofSeconds(10),
          () -> monitor.backends().stream().anyMatch(b -> !b.health().up()));
      KernelSession session = KernelSession.of(FakeHostEngines.NO_CONNTRACK, backend);
      DashboardService withChecks =
          new DashboardService(
              new Invocation.ServiceState(
                  session,
                  store,
                  engine,
                  table,
                  Optional.of(monitor),
                  LiveStatusCache.of(
                      engine, store, LiveStatusCache.NO_BACKGROUND, Clock.systemUTC()),
                  Invocation.DEFAULT_STATUS_MAX_AGE),
              /* managesSysctls= */ true,
              Clock.systemUTC());

      JsonNode forwards = withChecks.forwards();
      assertThat(forwards.get("forwards")).hasSize(1);
      JsonNode forward = forwards.get("forwards").get(0);
      assertThat(forward.get("description").asText()).isEqualTo("pool");
      assertThat(forward.has("packets")).as(forward.toString()).isTrue();
      assertThat(forward.has("bytes")).as(forward.toString()).isTrue();
      assertThat(forwards.get("readAt").asText()).isNotEmpty();
      JsonNode health = forwards.get("backendHealth");
      assertThat(health).as(forwards.toString()).hasSize(2);
      assertThat(health.get(0).get("address").asText()).isEqualTo("192.0.2.2");
      assertThat(health.get(0).get("up").asBoolean()).isTrue();
      assertThat(health.get(1).get("line").asInt()).isEqualTo(1);
      assertThat(health.get(1).get("address").asText()).isEqualTo("192.0.2.18");
      assertThat(health.get(1).get("up").asBoolean()).isFalse();
      assertThat(health.get(1).get("lastProblem").asText()).isEqualTo("connection refused");

      assertThat(service.forwards().has("backendHealth"))
          .as("a service without backend checks says nothing of health")
          .isFalse();
    }
  }

  @Test
  void aPlanOrApplyWithABackendNameThatDoesNotResolveIsRefusedAtItsLineAndChangesNothing()
      throws Exception {
    DashboardService dashboard = withNames(NO_NAMES, Optional.empty());
    int applies = backend.applied.size();
    String named = "80 backend.test 80 tcp\n";

    for (ApiCall call :
        List.<ApiCall>of(
            () -> dashboard.plan(named),
            () -> dashboard.apply(named, Optional.empty(), Optional.empty()))) {
      assertThatThrownBy(call::run)
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(422);
                assertThat(e.getMessage()).startsWith("1 error in ");
                JsonNode diagnostic = e.details().orElseThrow().get("diagnostics").get(0);
                assertThat(diagnostic.get("severity").asText()).isEqualTo("error");
                assertThat(diagnostic.get("line").asInt()).isEqualTo(1);
                assertThat(diagnostic.get("column").asInt()).isEqualTo(4);
                assertThat(diagnostic.get("message").asText())
                    .startsWith("backend name 'backend.test' does not resolve here (NXDOMAIN)");
              });
    }
    assertThat(Files.readString(table)).isEqualTo(OLD);
    assertThat(backend.applied).hasSize(applies);
  }

  /** A call of the API that may be refused. */
  private interface ApiCall {
    void run() throws ApiException;
  }

  @Test
  void checkWarnsOfABackendNameThatDoesNotResolveHereAsTheCliDoes() throws Exception {
    JsonNode check = withNames(NO_NAMES, Optional.empty()).check("80 backend.test 80 tcp\n");

    assertThat(check.get("valid").asBoolean()).isTrue();
    JsonNode diagnostic = check.get("diagnostics").get(0);
    assertThat(diagnostic.get("severity").asText()).isEqualTo("warning");
    assertThat(diagnostic.get("message").asText())
        .startsWith("backend name 'backend.test' does not resolve here (NXDOMAIN)");
  }

  @Test
  void anApplyInstallsTheAddressesABackendNameResolvesTo() throws Exception {
    InetAddress seven = ip("192.0.2.7");
    NameResolver names =
        (name, family) ->
            name.equals("backend.test")
                ? Resolution.of(List.of(seven), Duration.ofSeconds(60))
                : Resolution.failed("NXDOMAIN");

    JsonNode answer =
        withNames(names, Optional.empty())
            .apply("80 backend.test 80 tcp\n", Optional.empty(), Optional.empty());

    assertThat(answer.get("changes").findValues("after"))
        .filteredOn(after -> !after.isNull())
        .extracting(after -> after.get("backend").asText())
        .containsExactly("192.0.2.7");
    assertThat(backend.installed.forwards())
        .extracting(f -> f.backend())
        .containsOnly(ip("192.0.2.7"));
    assertThat(Files.readString(table)).isEqualTo("80 backend.test 80 tcp\n");
  }

  @Test
  void anApplyLeavesOutABackendTheServicesChecksFoundDown() throws Exception {
    String pooled = "17000 192.0.2.6,192.0.2.5 80 tcp\n";
    try (BackendMonitor monitor =
        new BackendMonitor(
            NO_NAMES,
            (target, timeout) ->
                target.toString().startsWith("192.0.2.6:") ? "connection refused" : null,
            new BackendMonitor.Settings(
                Duration.ofMillis(50), 1, 1, Duration.ofSeconds(5), Duration.ofSeconds(300)),
            System::nanoTime,
            (effective, why) -> {})) {
      monitor.table(TableParser.parse(table.toString(), pooled).table());
      monitor.start();
      Conditions.await(
          "the check finds 192.0.2.6 down",
          Duration.ofSeconds(10),
          () -> monitor.backends().stream().anyMatch(b -> !b.health().up()));

      JsonNode plan = withNames(NO_NAMES, Optional.of(monitor)).plan(pooled);
      withNames(NO_NAMES, Optional.of(monitor)).apply(pooled, Optional.empty(), Optional.empty());

      assertThat(plan.get("changes").findValues("after"))
          .filteredOn(after -> !after.isNull())
          .extracting(after -> after.get("backend").asText())
          .containsExactly("192.0.2.5");
      assertThat(backend.installed.forwards())
          .filteredOn(f -> f.externalPorts().first() == 17000)
          .extracting(f -> f.backend())
          .containsOnly(ip("192.0.2.5"));
    }
  }
}
