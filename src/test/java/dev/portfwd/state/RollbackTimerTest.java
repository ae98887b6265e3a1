package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.ForwardingSysctls;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackTimerTest {

  @TempDir Path dir;

  final FakeBackend backend = new FakeBackend();
  final ForwardingSysctls sysctls = new ForwardingSysctls(new FakeSysctls());

  PendingConfirmation pendingUntil(Instant deadline) throws Exception {
    StateStore store = new StateStore(dir);
    Snapshot before =
        Snapshot.of("before", Instant.EPOCH, "nftables", Forwards.of("1000 192.0.2.2\n"), Set.of());
    store.push(before);
    long generation =
        store.push(
            Snapshot.of(
                "after", Instant.EPOCH, "nftables", Forwards.of("2000 192.0.2.2\n"), Set.of()));
    backend.installed = Forwards.of("2000 192.0.2.2\n");
    backend.tablePresent = true;
    PendingConfirmation pending =
        new PendingConfirmation("t1", deadline, "nftables", generation, before, Set.of(), "after");
    store.writePending(pending);
    return pending;
  }

  @Test
  void rollsBackAtTheDeadline() throws Exception {
    // Timed from before the deadline is set: writing the record (fsync) may take a while.
    long start = System.nanoTime();
    pendingUntil(Instant.now().plusMillis(300));
    StringWriter log = new StringWriter();
    StateStore store = new StateStore(dir);
    boolean rolledBack =
        new RollbackTimer(store, Clock.systemUTC(), Duration.ofMillis(50))
            .run("t1", () -> new Restorer(store, backend, sysctls, p -> {}), new PrintWriter(log));
    assertThat(rolledBack).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
    assertThat(backend.installed).isEqualTo(Forwards.of("1000 192.0.2.2\n"));
    assertThat(log.toString()).contains("not confirmed");
    assertThat(store.armedMarker("t1")).doesNotExist();
  }

  @Test
  void exitsWithoutTouchingTheKernelOnceConfirmed() throws Exception {
    pendingUntil(Instant.now().plusSeconds(30));
    StateStore store = new StateStore(dir);
    Thread confirmer =
        new Thread(
            () -> {
              try {
                // Confirmed while the timer waits: once it has marked itself armed.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!Files.exists(store.armedMarker("t1")) && System.nanoTime() < deadline) {
                  Thread.sleep(10);
                }
                store.clearPending();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    confirmer.start();
    long start = System.nanoTime();
    boolean rolledBack =
        new RollbackTimer(store, Clock.systemUTC(), Duration.ofMillis(50))
            .run(
                "t1",
                () -> new Restorer(store, backend, sysctls, p -> {}),
                new PrintWriter(new StringWriter()));
    confirmer.join();
    assertThat(rolledBack).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(backend.installed).isEqualTo(Forwards.of("2000 192.0.2.2\n"));
  }

  @Test
  void retriesAFailedRollback() throws Exception {
    pendingUntil(Instant.now());
    backend.failNext = 2;
    StringWriter log = new StringWriter();
    StateStore store = new StateStore(dir);
    boolean rolledBack =
        new RollbackTimer(store, Clock.systemUTC(), Duration.ofMillis(50))
            .run("t1", () -> new Restorer(store, backend, sysctls, p -> {}), new PrintWriter(log));
    assertThat(rolledBack).isTrue();
    assertThat(log.toString()).contains("attempt 1 failed").contains("attempt 2 failed");
    assertThat(backend.installed).isEqualTo(Forwards.of("1000 192.0.2.2\n"));
    assertThat(store.pending()).isEmpty();
  }
}
