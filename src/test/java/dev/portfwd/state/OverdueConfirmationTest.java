package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.ForwardingSysctls;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverdueConfirmationTest {

  @TempDir Path dir;

  final FakeBackend backend = new FakeBackend();
  final ForwardingSysctls sysctls = new ForwardingSysctls(new FakeSysctls());
  final Instant deadline = Instant.parse("2026-11-25T04:00:00Z");

  StateStore pendingStore() throws Exception {
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
    store.writePending(
        new PendingConfirmation("p", deadline, "nftables", generation, before, Set.of(), "after"));
    return store;
  }

  Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  @Test
  void leavesAConfirmationThatMayStillBeAnsweredOrTimedAlone() throws Exception {
    StateStore store = pendingStore();
    assertThat(
            OverdueConfirmation.resolve(
                store,
                at(deadline.plusSeconds(5)),
                () -> new Restorer(store, backend, sysctls, p -> {})))
        .isEmpty();
    assertThat(store.pending()).isPresent();
    assertThat(backend.installed).isEqualTo(Forwards.of("2000 192.0.2.2\n"));
  }

  @Test
  void rollsBackAConfirmationWhoseTimerNeverRan() throws Exception {
    StateStore store = pendingStore();
    var message =
        OverdueConfirmation.resolve(
            store,
            at(deadline.plus(OverdueConfirmation.GRACE).plusSeconds(1)),
            () -> new Restorer(store, backend, sysctls, p -> {}));
    assertThat(message)
        .hasValueSatisfying(
            m -> assertThat(m).contains("never confirmed").contains("rolled it back"));
    assertThat(store.pending()).isEmpty();
    assertThat(backend.installed).isEqualTo(Forwards.of("1000 192.0.2.2\n"));
    assertThat(store.current().orElseThrow().snapshot().source()).isEqualTo("before");
  }

  @Test
  void nothingPendingIsNothingToDo() throws Exception {
    StateStore store = new StateStore(dir);
    assertThat(
            OverdueConfirmation.resolve(
                store,
                Clock.systemUTC(),
                () -> {
                  throw new AssertionError("no restorer needed");
                }))
        .isEmpty();
  }
}
