package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.FakeHostEngines;
import dev.portfwd.service.ControlServer.Request;
import dev.portfwd.state.FakeBackend;
import dev.portfwd.state.FakeSysctls;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.TableParser;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portfwd rollback}, run as the service runs it for a client, over a fake backend. */
class RollbackCommandTest {

  private static final String OLD = "1000 192.0.2.2 80 tcp # old\n";
  private static final String NEW = "1000 192.0.2.2 80 tcp # new\n1001 192.0.2.3 80 udp # added\n";

  @TempDir Path dir;

  private final FakeBackend backend = new FakeBackend();
  private StateStore store;
  private ServiceHandler handler;
  private Path table;
  private final List<String> log = new ArrayList<>();

  private record Run(int exit, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    table = Files.writeString(dir.resolve("ports.txt"), OLD);
    store = new StateStore(dir.resolve("state"));
    Engine engine = FakeHostEngines.engine(backend, new FakeSysctls(), store, warning -> {});
    Invocation.ServiceState service =
        new Invocation.ServiceState(
            KernelSession.of(FakeHostEngines.NO_CONNTRACK, backend), store, engine, table);
    DashboardService dashboard = new DashboardService(service, true, Clock.systemUTC());
    dashboard.apply(OLD, Optional.empty(), Optional.empty());
    dashboard.apply(NEW, Optional.empty(), Optional.empty());
    handler = new ServiceHandler(service, () -> {}, log::add);
  }

  private Run run(String stdin, String... argv) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        handler.run(
            new Request(List.of(argv), dir, store.dir(), false),
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  private static DesiredState compiled(String text) throws Exception {
    return Compiler.compile(TableParser.parse("t", text).table());
  }

  @Test
  void aRollbackThatIsNotConfirmedReturnsToTheStateBeforeItAndExitsOne() throws Exception {
    Run run = run("no\n", "rollback", "--confirm", "30");

    assertThat(run.out()).contains("rolled back to state 2").contains("Type 'yes' within 30 s");
    assertThat(run.err()).contains("rolled back as asked");
    assertThat(run.exit()).isEqualTo(ExitCode.FAILURE);
    assertThat(backend.installed).isEqualTo(compiled(NEW));
    assertThat(store.pending()).isEmpty();
    assertThat(Files.readString(table)).isEqualTo(NEW);
  }

  @Test
  void aConfirmedRollbackStaysAndWritesTheWatchedFile() throws Exception {
    Run run = run("yes\n", "rollback", "--confirm", "30");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("confirmed: keeping");
    assertThat(backend.installed).isEqualTo(compiled(OLD));
    assertThat(Files.readString(table)).contains("1000 192.0.2.2 80 tcp # old");
  }

  @Test
  void aRollbackToAChosenStateTakesTheConfirmationToo() throws Exception {
    Run run = run("no\n", "rollback", "--to", "2", "--confirm", "5");

    assertThat(run.exit()).isEqualTo(ExitCode.FAILURE);
    assertThat(backend.installed).isEqualTo(compiled(NEW));
  }

  @Test
  void refusesAConfirmTimeOutOfRangeAndWithListChangingNothing() throws Exception {
    Run zero = run("", "rollback", "--confirm", "0");
    Run list = run("", "rollback", "--list", "--confirm", "5");

    assertThat(zero.exit()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(zero.err()).contains("--confirm takes 1 to 86400 seconds, not 0");
    assertThat(list.exit()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(list.err()).contains("--list and --confirm do not go together");
    assertThat(backend.installed).isEqualTo(compiled(NEW));
  }
}
