package dev.portfwd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.compile.DesiredState;
import dev.portfwd.state.FakeBackend;
import dev.portfwd.state.FakeSysctls;
import dev.portfwd.state.Forwards;
import dev.portfwd.state.StateStore;
import dev.portfwd.watch.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineEventsTest {

  private static final String TABLE = "1000 192.0.2.2 80 tcp # A\n";

  private final FakeBackend backend = new FakeBackend();
  private final List<String> events = new ArrayList<>();

  private Engine engine(Path dir) {
    Engine engine =
        FakeHostEngines.engine(backend, new FakeSysctls(), new StateStore(dir), w -> {});
    engine.listen(
        new EngineEvents() {
          @Override
          public void changed(Outcome outcome, Duration took) {
            assertThat(took.isNegative()).isFalse();
            events.add(outcome.name());
          }

          @Override
          public void driftRepaired() {
            events.add("drift");
          }
        });
    return engine;
  }

  private static ApplyRequest request(String table) {
    return new ApplyRequest(Forwards.of(table), "a.txt", true, true, Optional.empty());
  }

  @Test
  void reportsEveryApplyRemoveAndRollbackWithItsOutcome(@TempDir Path dir) throws Exception {
    Engine engine = engine(dir);
    engine.apply(request(TABLE));
    backend.failNext = 1;
    assertThatThrownBy(() -> engine.apply(request("1001 192.0.2.2 80 tcp\n")))
        .isInstanceOf(EngineException.class);
    engine.remove();
    engine.rollback();

    assertThat(events).containsExactly("OK", "FAILED", "OK", "OK");
  }

  @Test
  void countsWatchAppliesAndRepairsButNotDriftChecksThatFoundNothing(@TempDir Path dir)
      throws Exception {
    Engine engine = engine(dir);
    engine.reconcile(Forwards.of(TABLE), Reason.START, "a.txt", false);
    engine.reconcile(Forwards.of(TABLE), Reason.DRIFT, "a.txt", false);
    assertThat(events).containsExactly("OK");

    backend.installed = DesiredState.empty(); // a flushed ruleset
    engine.reconcile(Forwards.of(TABLE), Reason.DRIFT, "a.txt", false);
    assertThat(events).containsExactly("OK", "OK", "drift");
  }
}
