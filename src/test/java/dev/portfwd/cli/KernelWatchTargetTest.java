package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.engine.ApplyRequest;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.FakeHostEngines;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.state.FakeBackend;
import dev.portfwd.state.FakeSysctls;
import dev.portfwd.state.Forwards;
import dev.portfwd.state.StateStore;
import dev.portfwd.watch.Reason;
import dev.portfwd.watch.WatchTarget.Reconciled;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How watch's link to the host keeps what the service wrote into the table file. */
class KernelWatchTargetTest {

  private static final String WATCHED = "1003 192.0.2.2 80 tcp # watched\n";
  private static final String WRITTEN = "1000 192.0.2.2 80 tcp # written\n";

  @TempDir Path dir;

  private final FakeBackend backend = new FakeBackend();
  private Path table;
  private Engine engine;
  private BackendMonitor monitor;
  private KernelWatchTarget target;

  @BeforeEach
  void setUp() throws Exception {
    table = Files.writeString(dir.resolve("ports.txt"), WATCHED);
    engine =
        FakeHostEngines.engine(
            backend, new FakeSysctls(), new StateStore(dir.resolve("state")), warning -> {});
    monitor =
        new BackendMonitor(
            (name, family) -> {
              throw new AssertionError("no names here");
            },
            (check, timeout) -> null,
            BackendMonitor.Settings.defaults(),
            System::nanoTime,
            (effective, why) -> {});
    target =
        new KernelWatchTarget(
            table.toString(),
            engine,
            true,
            new PrintWriter(new StringWriter()),
            valid -> {},
            monitor);
  }

  @AfterEach
  void stop() {
    monitor.close();
  }

  @Test
  void aDriftCheckDoesNotPutBackATableTheServiceJustReplacedInTheFileAndTheKernel()
      throws Exception {
    var watched = target.load().orElseThrow();
    target.reconcile(watched, Reason.START);
    assertThat(backend.installed).isEqualTo(Forwards.of(WATCHED));

    // What the dashboard or a rollback in the service does under the state lock, before watch's
    // loop hears of the write.
    try (StateStore.Lock lock = engine.store().lock()) {
      new WatchedTableFile(table).write(WRITTEN);
      engine.apply(
          new ApplyRequest(Forwards.of(WRITTEN), table.toString(), true, true, Optional.empty()));
    }

    Reconciled drift = target.reconcile(watched, Reason.DRIFT);

    assertThat(drift.skipped()).contains("changed since it was read");
    assertThat(backend.installed).as("not put back").isEqualTo(Forwards.of(WRITTEN));
    var reloaded = target.load().orElseThrow();
    assertThat(target.reconcile(reloaded, Reason.EDIT).plan().isEmpty()).isTrue();
    assertThat(target.reconcile(reloaded, Reason.DRIFT).skipped()).isNull();
  }

  @Test
  void aChangeWhoseReloadNeverComesStopsOnlyAFewDriftChecks() throws Exception {
    var watched = target.load().orElseThrow();
    target.reconcile(watched, Reason.START);
    Files.writeString(table, WRITTEN + "# a hand edit\n");
    backend.installed = Forwards.of(WRITTEN); // and a hand change of the kernel

    int skipped = 0;
    for (int i = 0; i < 10 && target.reconcile(watched, Reason.DRIFT).skipped() != null; i++) {
      skipped++;
    }

    assertThat(skipped).isEqualTo(3);
    assertThat(backend.installed).as("drift repaired again").isEqualTo(Forwards.of(WATCHED));
  }
}
