package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.ForwardingSysctls;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorerTest {

  @TempDir Path dir;

  final FakeBackend backend = new FakeBackend();
  final ForwardingSysctls sysctls = new ForwardingSysctls(new FakeSysctls());
  final List<Plan> cleanedUp = new ArrayList<>();

  StateStore store() {
    return new StateStore(dir);
  }

  Restorer restorer() {
    return new Restorer(store(), backend, sysctls, cleanedUp::add);
  }

  static Snapshot snapshot(String source, DesiredState forwards) {
    return Snapshot.of(source, Instant.EPOCH, "nftables", forwards, Set.of());
  }

  /** An apply --confirm of {@code table} over no forwards, waiting; returns its generation. */
  long pendingOverNothing(String table, boolean recordKept) throws Exception {
    StateStore store = store();
    Snapshot empty = snapshot(SafeApply.LIVE_BEFORE, DesiredState.empty());
    store.push(empty);
    DesiredState applied = Forwards.of(table);
    long generation = store.push(snapshot("t.txt", applied));
    if (!recordKept) {
      store.dropFrom(generation);
    }
    backend.installed = applied;
    backend.tablePresent = true;
    store.writePending(
        new PendingConfirmation(
            "p1", Instant.EPOCH, "nftables", generation, empty, Set.of(), "t.txt"));
    return generation;
  }

  @Test
  void restoringTheEmptyStateDeletesPortfwdsRulesWithoutReadingThemBack() throws Exception {
    pendingOverNothing("1000 192.0.2.2\n2000 192.0.2.3 80 udp\n", true);

    Restorer.Result result = restorer().undoPending("p1").orElseThrow();

    assertThat(backend.removeAllPlans).isEqualTo(1);
    assertThat(backend.removePlans).as("no plan that reads every forward back").isZero();
    assertThat(backend.plans).isZero();
    assertThat(backend.tablePresent).isFalse();
    // The forwards that went are named from the record: for the message and the UDP clean-up.
    assertThat(cleanedUp).hasSize(1);
    assertThat(cleanedUp.get(0).count(ForwardChange.Kind.REMOVE)).isEqualTo(3);
    assertThat(result.message())
        .isEqualTo(
            "restored the state with no portfwd forwards (nftables): 0 to add, 0 to change, 3 to"
                + " remove");
    assertThat(store().pending()).isEmpty();
  }

  @Test
  void restoringTheEmptyStateDeletesTheRulesEvenWithoutARecordOfThem() throws Exception {
    pendingOverNothing("1000 192.0.2.2\n", false);

    Restorer.Result result = restorer().undoPending("p1").orElseThrow();

    assertThat(backend.tablePresent).isFalse();
    assertThat(result.message())
        .isEqualTo(
            "restored the state with no portfwd forwards (nftables): portfwd's rules deleted");
  }

  @Test
  void restoringTheEmptyStateWhenNothingIsInstalledChangesNothing() throws Exception {
    pendingOverNothing("1000 192.0.2.2\n", true);
    backend.tablePresent = false; // deleted by hand meanwhile

    Restorer.Result result = restorer().undoPending("p1").orElseThrow();

    assertThat(backend.applied).isEmpty();
    assertThat(result.message()).endsWith("; the rules in force already matched it");
  }

  @Test
  void rollingBackOffersTheRecordOfWhatIsInForceSoTheKernelNeedNotBeListed() throws Exception {
    StateStore store = store();
    store.push(snapshot("a.txt", Forwards.of("1000 192.0.2.2\n")));
    DesiredState live = Forwards.of("2000 192.0.2.3\n");
    store.push(snapshot("b.txt", live));
    backend.installed = live;
    backend.tablePresent = true;
    backend.digestMatches = true;

    restorer().rollbackOne();

    assertThat(backend.offeredRecord).contains(live);
    assertThat(backend.installed).isEqualTo(Forwards.of("1000 192.0.2.2\n"));
  }

  @Test
  void rollbackRefusesARecordedStateThatIsNotValidAndChangesNothing() throws Exception {
    StateStore store = store();
    String line = "IPV4\t-\tUDP\t53\t192.0.2.2\t53\t-\tyes\t";
    store.push(new Snapshot("planted", Instant.EPOCH, "nftables", List.of(line, line), Set.of()));
    DesiredState live = Forwards.of("2000 192.0.2.3\n");
    store.push(snapshot("b.txt", live));
    backend.installed = live;
    backend.tablePresent = true;

    assertThatThrownBy(() -> restorer().rollbackOne())
        .isInstanceOf(StateException.class)
        .hasMessage(
            "the state to restore in "
                + dir.resolve("history/0000000001.state")
                + " is not valid (line 3: port 53/udp is already forwarded by line 2); nothing was"
                + " changed; move that file away to roll back past it");
    assertThat(backend.applied).isEmpty();
    assertThat(store.history()).hasSize(2);
  }

  @Test
  void anUnconfirmedApplyWhoseStateBeforeIsNotValidStaysAndSaysSo() throws Exception {
    StateStore store = store();
    Snapshot planted =
        new Snapshot(
            "planted",
            Instant.EPOCH,
            "nftables",
            List.of("IPV4\t-\tTCP\t22\t224.0.0.1\t22\t-\tyes\t"),
            Set.of());
    long generation = store.push(snapshot("t.txt", Forwards.of("1000 192.0.2.2\n")));
    backend.tablePresent = true;
    store.writePending(
        new PendingConfirmation(
            "p1", Instant.EPOCH, "nftables", generation, planted, Set.of(), "t"));

    assertThatThrownBy(() -> restorer().undoPending("p1"))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("pending.state is not valid (line 2: backend 224.0.0.1")
        .hasMessageContaining("nothing was changed");
    assertThat(backend.applied).isEmpty();
    assertThat(store.pending()).isPresent();
  }
}
