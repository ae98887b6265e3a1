package dev.portfwd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.state.FakeBackend;
import dev.portfwd.state.FakeSysctls;
import dev.portfwd.state.Forwards;
import dev.portfwd.state.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {

  private static final String TABLE_A = "1000 192.0.2.2 80 tcp # A\n1001 192.0.2.2 80 tcp # A\n";
  private static final String TABLE_B = "1000 192.0.2.2 80 tcp # B\n1002 192.0.2.2 80 tcp # B\n";

  private final FakeBackend backend = new FakeBackend();
  private final FakeSysctls sysctls = new FakeSysctls();
  private final List<String> warnings = new ArrayList<>();

  private Engine engine(StateStore store) {
    return FakeHostEngines.engine(backend, sysctls, store, warnings::add);
  }

  private static ApplyRequest request(String table, String source, Optional<Duration> confirm) {
    return new ApplyRequest(Forwards.of(table), source, true, true, confirm);
  }

  @Test
  void applyRunsOneTransactionRecordsItAndSwitchesForwardingOn(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    Applied applied = engine(store).apply(request(TABLE_A, "a.txt", Optional.empty()));

    assertThat(backend.applied).hasSize(1);
    assertThat(applied.plan().summary()).isEqualTo("2 to add, 0 to change, 0 to remove");
    assertThat(applied.notes())
        .containsExactly(
            "switched on net.ipv4.ip_forward (it was off; forwarded packets were being dropped)");
    assertThat(store.current().orElseThrow().snapshot().source()).isEqualTo("a.txt");
    assertThat(applied.pending()).isEmpty();
  }

  @Test
  void aFlappingBackendTakesOneHistoryEntryAndRollbackStillReachesTheTablesBefore(@TempDir Path dir)
      throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_B, "b.txt", Optional.empty()));
    engine.reconcile(Forwards.of(TABLE_A), dev.portfwd.watch.Reason.START, "a.txt", false);
    // The backend in rotation goes down and up again, many times over.
    for (int i = 0; i < 3 * StateStore.KEEP; i++) {
      String rotation = i % 2 == 0 ? TABLE_A.replace("192.0.2.2", "192.0.2.3") : TABLE_A;
      engine.reconcile(Forwards.of(rotation), dev.portfwd.watch.Reason.BACKENDS, "a.txt", false);
    }

    List<StateStore.Entry> history = store.history();
    assertThat(history).hasSizeLessThanOrEqualTo(StateStore.KEEP);
    assertThat(history)
        .extracting(e -> e.snapshot().source())
        .containsExactly("a.txt", "a.txt", "b.txt", "live state before apply");
    // A user's apply between changes of the rotation is kept, never replaced.
    engine.apply(request(TABLE_B, "b.txt", Optional.empty()));
    engine.reconcile(Forwards.of(TABLE_A), dev.portfwd.watch.Reason.BACKENDS, "a.txt", false);
    assertThat(store.history())
        .extracting(e -> e.snapshot().source())
        .containsExactly("a.txt", "b.txt", "a.txt", "a.txt", "b.txt", "live state before apply");
  }

  @Test
  void aSecondApplyWaitsForTheLockAndPlansAgainstWhatTheFirstLeft(@TempDir Path dir)
      throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_A, "a.txt", Optional.empty()));
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread other =
        new Thread(
            () -> {
              try (StateStore.Lock lock = store.lock()) {
                held.countDown();
                release.await(10, TimeUnit.SECONDS);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    other.start();
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    Thread releaser =
        new Thread(
            () -> {
              sleep(300);
              backend.installed =
                  Forwards.of(TABLE_B); // what the holder's change left in the kernel
              release.countDown();
            });
    releaser.start();
    long start = System.nanoTime();

    Applied applied = engine.apply(request(TABLE_B, "b.txt", Optional.empty()));

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(250));
    assertThat(applied.plan().changes())
        .as("planned after the holder's change, not before")
        .isEmpty();
    other.join();
  }

  @Test
  void removeIsRefusedWhileAnApplyWaitsForConfirmation(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_A, "a.txt", Optional.empty()));
    Applied waiting = engine.apply(request(TABLE_B, "b.txt", Optional.of(Duration.ofSeconds(60))));
    assertThat(waiting.pending()).isPresent();

    assertThatThrownBy(engine::remove)
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("waits for confirmation")
        .hasMessageContaining("'portfwd confirm'")
        .hasMessageContaining("'portfwd rollback'")
        .hasMessageContaining("nothing was changed");
    assertThat(backend.applied).hasSize(2);
    assertThat(store.pending()).isPresent();

    engine.rollback();
    assertThat(backend.installed).isEqualTo(Forwards.of(TABLE_A));
    assertThat(store.pending()).isEmpty();
  }

  @Test
  void removeIsRecordedSoRollbackBringsTheForwardsBack(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_A, "a.txt", Optional.empty()));

    assertThat(engine.remove().changes()).hasSize(2);
    assertThat(backend.installed.forwards()).isEmpty();
    assertThat(store.current().orElseThrow().snapshot().isEmpty()).isTrue();

    engine.rollback();
    assertThat(backend.installed).isEqualTo(Forwards.of(TABLE_A));
    assertThat(store.current().orElseThrow().snapshot().source()).isEqualTo("a.txt");
  }

  @Test
  void confirmKeepsTheWaitingApply(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_B, "b.txt", Optional.of(Duration.ofSeconds(60))));

    assertThat(Engine.confirm(store, Clock.systemUTC()).applied()).contains("b.txt");
    assertThat(store.pending()).isEmpty();
    assertThatThrownBy(() -> Engine.confirm(store, Clock.systemUTC()))
        .hasMessageContaining("nothing waits for confirmation");
  }

  private static final String TABLE_C = "1003 192.0.2.2 80 tcp # C\n";

  @Test
  void rollbackToAChosenStateAppliesItInOneTransactionAsANewStateThatRollsBackToo(@TempDir Path dir)
      throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_A, "a.txt", Optional.empty()));
    long stateA = store.current().orElseThrow().generation();
    engine.apply(request(TABLE_B, "b.txt", Optional.empty()));
    engine.apply(request(TABLE_C, "c.txt", Optional.empty()));
    long stateC = store.current().orElseThrow().generation();
    int transactions = backend.applied.size();

    RestoredState restored = engine.rollbackTo(stateA, true, Optional.empty());

    assertThat(backend.applied).as("one transaction").hasSize(transactions + 1);
    assertThat(backend.installed).isEqualTo(Forwards.of(TABLE_A));
    assertThat(restored.recordedAs()).isEqualTo(stateC + 1);
    assertThat(store.current().orElseThrow().snapshot().source())
        .isEqualTo("a.txt (rolled back to state " + stateA + ")");
    assertThat(restored.message())
        .startsWith("rolled back to state " + stateA + " (2 forwards from a.txt (nftables))")
        .contains("recorded as state " + (stateC + 1))
        .contains("2 to add, 0 to change, 1 to remove");
    assertThat(store.contains(stateC)).as("the history keeps what it left").isTrue();

    engine.rollback();
    assertThat(backend.installed).as("a plain rollback undoes it").isEqualTo(Forwards.of(TABLE_C));
  }

  @Test
  void rollbackToAnUnknownStateSaysWhichAreKeptAndChangesNothing(@TempDir Path dir)
      throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_A, "a.txt", Optional.empty()));
    engine.apply(request(TABLE_B, "b.txt", Optional.empty()));
    var history = store.history();
    int transactions = backend.applied.size();

    assertThatThrownBy(() -> engine.rollbackTo(99, true, Optional.empty()))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("no state 99 is recorded in " + dir)
        .hasMessageContaining("kept: 3, 2, 1")
        .hasMessageContaining("nothing was changed");
    assertThat(backend.applied).hasSize(transactions);
    assertThat(backend.installed).isEqualTo(Forwards.of(TABLE_B));
    assertThat(store.history()).isEqualTo(history);
  }

  @Test
  void rollbackToWithConfirmationArmsTheTimerAndIsUndoneUnlessConfirmed(@TempDir Path dir)
      throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_A, "a.txt", Optional.empty()));
    long stateA = store.current().orElseThrow().generation();
    engine.apply(request(TABLE_B, "b.txt", Optional.empty()));

    RestoredState restored = engine.rollbackTo(stateA, true, Optional.of(Duration.ofSeconds(60)));

    assertThat(restored.applied().pending()).isPresent();
    assertThat(backend.installed).isEqualTo(Forwards.of(TABLE_A));
    assertThatThrownBy(() -> engine.rollbackTo(stateA, true, Optional.empty()))
        .hasMessageContaining("waits for confirmation")
        .hasMessageContaining("nothing was changed");
    engine.rollback();
    assertThat(backend.installed).isEqualTo(Forwards.of(TABLE_B));
    assertThat(store.pending()).isEmpty();
  }

  @Test
  void rollbackToTheStateAfterRemoveDeletesPortfwdsRules(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    Engine engine = engine(store);
    engine.apply(request(TABLE_A, "a.txt", Optional.empty()));
    engine.remove();
    long removed = store.current().orElseThrow().generation();
    engine.apply(request(TABLE_B, "b.txt", Optional.empty()));

    RestoredState restored = engine.rollbackTo(removed, true, Optional.empty());

    assertThat(backend.installed.forwards()).isEmpty();
    assertThat(store.current().orElseThrow().snapshot().isEmpty()).isTrue();
    assertThat(restored.message()).contains("the state with no portfwd forwards");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
