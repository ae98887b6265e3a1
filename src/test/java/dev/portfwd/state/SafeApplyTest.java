package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.ForwardingSysctls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // locks and guards are held for their blocks
class SafeApplyTest {

  @TempDir Path dir;

  final FakeBackend backend = new FakeBackend();
  final FakeSysctls sysctlRunner = new FakeSysctls();
  final ForwardingSysctls sysctls = new ForwardingSysctls(sysctlRunner);
  final List<String> launched = new ArrayList<>();
  final List<Integer> guarded = new ArrayList<>();
  // What the timer would find when it starts: the pending record must be on disk by then.
  final List<Optional<PendingConfirmation>> pendingAtLaunch = new ArrayList<>();
  final Clock clock = Clock.fixed(Instant.parse("2026-11-25T04:00:00Z"), ZoneOffset.UTC);

  StateStore store() {
    return new StateStore(dir);
  }

  SafeApply safeApply() {
    return new SafeApply(
        store(),
        backend.name(),
        sysctls,
        (s, id, forwards) -> {
          launched.add(id);
          guarded.add(forwards);
          pendingAtLaunch.add(s.pending());
        },
        clock);
  }

  Restorer restorer() {
    return new Restorer(store(), backend, sysctls, plan -> {});
  }

  /** What apply does: plan, begin, apply, switch sysctls on, applied. */
  SafeApply.Guard apply(String table, Optional<Duration> confirm) throws Exception {
    DesiredState desired = Forwards.of(table);
    Plan plan = backend.plan(desired);
    SafeApply.Guard guard =
        safeApply().begin(plan, "/etc/portfwd/" + table.hashCode(), true, confirm);
    try (guard) {
      backend.apply(plan);
      for (String key : sysctls.offButNeeded(desired)) {
        sysctls.set(key, true);
      }
      guard.applied();
    }
    return guard;
  }

  @Test
  void rollbackAfterFirstApplyRemovesEverythingAndSwitchesForwardingOffAgain() throws Exception {
    apply("13102 192.0.2.2 80\n", Optional.empty());
    assertThat(backend.installed.forwards()).hasSize(2);
    assertThat(sysctlRunner.values.get(ForwardingSysctls.IPV4)).isEqualTo("1");

    Restorer.Result result;
    try (StateStore.Lock lock = store().lock()) {
      result = restorer().rollbackOne();
    }
    assertThat(backend.installed.isEmpty()).isTrue();
    assertThat(backend.tablePresent).isFalse();
    assertThat(sysctlRunner.values.get(ForwardingSysctls.IPV4)).isEqualTo("0");
    assertThat(result.switchedOff()).containsExactly(ForwardingSysctls.IPV4);
    assertThat(store().history()).hasSize(1);
  }

  @Test
  void rollbackReturnsToThePreviousTableAndLeavesAdminsSysctlsAlone() throws Exception {
    sysctlRunner.values.put(
        ForwardingSysctls.IPV4, "1"); // on before portfwd: not portfwd's to switch off
    apply("13102 192.0.2.2 80\n", Optional.empty());
    DesiredState first = backend.installed;
    apply("13102 192.0.2.3 80\n[2001:db8:1::1]:443 2001:db8:2::2 tcp\n", Optional.empty());
    assertThat(sysctlRunner.values.get(ForwardingSysctls.IPV6)).isEqualTo("1");

    try (StateStore.Lock lock = store().lock()) {
      restorer().rollbackOne();
    }
    assertThat(backend.installed).isEqualTo(first);
    assertThat(sysctlRunner.values)
        .containsEntry(ForwardingSysctls.IPV4, "1")
        .containsEntry(ForwardingSysctls.IPV6, "0");
  }

  @Test
  void reapplyingTheSameTableAddsNoHistory() throws Exception {
    apply("13102 192.0.2.2 80\n", Optional.empty());
    int size = store().history().size();
    apply("13102 192.0.2.2 80\n", Optional.empty());
    assertThat(store().history()).hasSize(size);
  }

  @Test
  void driftBeforeAnApplyIsRecordedSoRollbackReturnsToWhatWasLive() throws Exception {
    apply("13102 192.0.2.2 80\n", Optional.empty());
    backend.installed = Forwards.of("9999 192.0.2.7 tcp\n"); // changed behind portfwd's back
    apply("13103 192.0.2.3 80\n", Optional.empty());
    try (StateStore.Lock lock = store().lock()) {
      restorer().rollbackOne();
    }
    assertThat(backend.installed).isEqualTo(Forwards.of("9999 192.0.2.7 tcp\n"));
  }

  @Test
  void confirmArmsTheTimerBeforeTheKernelChangesAndRecordsHowToUndo() throws Exception {
    backend.installed = Forwards.of("1000 192.0.2.2\n");
    backend.tablePresent = true;
    Plan plan = backend.plan(Forwards.of("2000 192.0.2.2\n"));
    SafeApply.Guard guard =
        safeApply().begin(plan, "t.txt", true, Optional.of(Duration.ofSeconds(30)));

    assertThat(launched).hasSize(1);
    assertThat(guarded)
        .as("the timer is sized for the forwards restored (tcp, udp) plus those in force")
        .containsExactly(4);
    PendingConfirmation pending = store().pending().orElseThrow();
    assertThat(pending.id()).isEqualTo(launched.get(0));
    assertThat(pendingAtLaunch)
        .as("the timer starts with its record on disk, before begin returns to the kernel change")
        .containsExactly(Optional.of(pending));
    assertThat(pending.restore().forwards()).isEqualTo(Forwards.of("1000 192.0.2.2\n"));
    assertThat(pending.switchOff()).containsExactly(ForwardingSysctls.IPV4);

    guard.applied();
    assertThat(store().pending().orElseThrow().deadline())
        .isEqualTo(clock.instant().plusSeconds(30));
  }

  @Test
  void anotherApplyIsRefusedWhileAConfirmationWaits() throws Exception {
    apply("1000 192.0.2.2\n", Optional.of(Duration.ofSeconds(30)));
    assertThatThrownBy(() -> apply("2000 192.0.2.2\n", Optional.empty()))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("portfwd confirm");
  }

  @Test
  void undoingThePendingApplyRestoresTheStateBeforeIt() throws Exception {
    apply("1000 192.0.2.2\n", Optional.empty());
    DesiredState before = backend.installed;
    apply("2000 192.0.2.3\n3000 192.0.2.4 tcp\n", Optional.of(Duration.ofSeconds(30)));
    String id = store().pending().orElseThrow().id();
    try (StateStore.Lock lock = store().lock()) {
      assertThat(restorer().undoPending(id)).isPresent();
      assertThat(restorer().undoPending(id)).as("a second undo finds nothing").isEmpty();
    }
    assertThat(backend.installed).isEqualTo(before);
    assertThat(store().pending()).isEmpty();
    assertThat(store().current().orElseThrow().snapshot().forwards()).isEqualTo(before);
  }

  @Test
  void failedApplyTakesItsRecordsBackAndDisarmsTheTimer() throws Exception {
    Plan plan = backend.plan(Forwards.of("2000 192.0.2.2\n"));
    try (SafeApply.Guard guard =
        safeApply().begin(plan, "t.txt", true, Optional.of(Duration.ofSeconds(30)))) {
      assertThat(store().pending()).isPresent();
      // the kernel rejected the transaction: applied() is never called
    }
    assertThat(store().pending()).isEmpty();
    assertThat(store().history())
        .extracting(e -> e.snapshot().source())
        .containsExactly(SafeApply.LIVE_BEFORE);
  }

  @Test
  void timerThatCannotStartFailsBeforeTheKernelChangesAndKeepsNoRecordOfTheApply()
      throws Exception {
    SafeApply failing =
        new SafeApply(
            store(),
            backend.name(),
            sysctls,
            (s, id, forwards) -> {
              throw new IOException("setsid is missing");
            },
            clock);
    Plan plan = backend.plan(Forwards.of("2000 192.0.2.2\n"));
    assertThatThrownBy(
            () -> failing.begin(plan, "t.txt", true, Optional.of(Duration.ofSeconds(30))))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("setsid is missing")
        .hasMessageContaining("nothing was changed");
    assertThat(store().pending()).isEmpty();
    assertThat(store().history())
        .extracting(e -> e.snapshot().source())
        .as("the apply that never happened is not in the history")
        .containsExactly(SafeApply.LIVE_BEFORE);
  }
}
