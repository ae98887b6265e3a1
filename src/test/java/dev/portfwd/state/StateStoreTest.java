package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.host.ForwardingSysctls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

  @TempDir Path dir;

  private static Snapshot snapshot(String source, String table) {
    return Snapshot.of(
        source,
        Instant.parse("2026-11-25T04:00:00Z"),
        "nftables",
        Forwards.of(table),
        Set.of(ForwardingSysctls.IPV4));
  }

  @Test
  void roundTripsEveryForwardField() throws IOException {
    StateStore store = new StateStore(dir);
    Snapshot snapshot =
        snapshot(
            "/etc/portfwd/ports.txt",
            "198.51.100.7:8000-8009 192.0.2.2 9000-9009 tcp from=203.0.113.0/24,203.0.113.128/25 masquerade=no"
                + " # quote \" backslash \\ and # hash\n"
                + "[2001:db8:1::1]:443 2001:db8:2::2 udp\n7777-7779 192.0.2.4 RANGE\n");
    store.push(snapshot);
    Snapshot read = store.current().orElseThrow().snapshot();
    assertThat(read).isEqualTo(snapshot);
    assertThat(read.forwards())
        .isEqualTo(
            Forwards.of(
                "198.51.100.7:8000-8009 192.0.2.2 9000-9009 tcp from=203.0.113.0/24,203.0.113.128/25 masquerade=no"
                    + " # quote \" backslash \\ and # hash\n"
                    + "[2001:db8:1::1]:443 2001:db8:2::2 udp\n7777-7779 192.0.2.4 RANGE\n"));
  }

  @Test
  void keepsNewestFirstAndDropsTheOldestBeyondTheLimit() throws IOException {
    StateStore store = new StateStore(dir);
    for (int i = 1; i <= StateStore.KEEP + 3; i++) {
      assertThat(store.push(snapshot("t" + i, "100" + i + " 192.0.2.2\n"))).isEqualTo(i);
    }
    var history = store.history();
    assertThat(history).hasSize(StateStore.KEEP);
    assertThat(history.get(0).snapshot().source()).isEqualTo("t" + (StateStore.KEEP + 3));
    assertThat(history.get(StateStore.KEEP - 1).snapshot().source()).isEqualTo("t4");
  }

  @Test
  void historyMarkMovesWithEveryRecordedReplacedOrDroppedState() throws IOException {
    StateStore store = new StateStore(dir);
    assertThat(store.historyMark()).isEmpty();
    long first = store.push(snapshot("a", "13102 192.0.2.2 80\n"));
    Path history = dir.resolve("history");
    FileTime old = FileTime.fromMillis(0);
    Files.setLastModifiedTime(history, old);
    store.push(snapshot("b", "13102 192.0.2.3 80\n"));
    assertThat(store.historyMark()).isPresent().isNotEqualTo(Optional.of(old));
    Files.setLastModifiedTime(history, old);
    store.replace(first, snapshot("a2", "13102 192.0.2.2 80\n"));
    assertThat(store.historyMark()).isNotEqualTo(Optional.of(old));
    Files.setLastModifiedTime(history, old);
    store.dropFrom(first + 1);
    assertThat(store.historyMark()).isNotEqualTo(Optional.of(old));
  }

  @Test
  void neverGivesAGenerationTwiceAlsoAfterARollbackDroppedIt() throws IOException {
    StateStore store = new StateStore(dir);
    store.push(snapshot("a", "13102 192.0.2.2 80\n"));
    long b = store.push(snapshot("b", "13102 192.0.2.3 80\n"));
    store.dropFrom(b);
    long c = store.push(snapshot("c", "13102 192.0.2.4 80\n"));
    assertThat(c).isGreaterThan(b);
    assertThat(new StateStore(dir).history())
        .extracting(StateStore.Entry::generation)
        .containsExactly(c, b - 1);
  }

  @Test
  void dropFromForgetsUndoneStates() throws IOException {
    StateStore store = new StateStore(dir);
    store.push(snapshot("a", "1000 192.0.2.2\n"));
    long second = store.push(snapshot("b", "2000 192.0.2.2\n"));
    store.push(snapshot("c", "3000 192.0.2.2\n"));
    store.dropFrom(second);
    assertThat(store.history()).extracting(e -> e.snapshot().source()).containsExactly("a");
  }

  @Test
  void pendingHeadReadsOnlyTheFirstLine() throws IOException {
    StateStore store = new StateStore(dir);
    assertThat(store.pendingHead()).isEmpty();
    Instant deadline = Instant.parse("2026-11-25T04:00:30Z");
    store.writePending(
        new PendingConfirmation(
            "abc",
            deadline,
            "nftables",
            2,
            snapshot("before", "1000 192.0.2.2\n"),
            Set.of(),
            "1 forward"));
    Path file = dir.resolve("pending.state");
    // Damage every forward line: polling the record must not depend on them.
    Files.writeString(
        file, Files.readString(file).lines().findFirst().orElseThrow() + "\nbroken\n");
    assertThat(store.pendingHead())
        .contains(new PendingConfirmation.Head("abc", deadline, "nftables"));
  }

  @Test
  void pendingConfirmationRoundTripsAndClears() throws IOException {
    StateStore store = new StateStore(dir);
    assertThat(store.pending()).isEmpty();
    PendingConfirmation pending =
        new PendingConfirmation(
            "abc",
            Instant.parse("2026-11-25T04:01:00Z"),
            "nftables",
            7,
            snapshot("before", "1000 192.0.2.2\n"),
            Set.of(ForwardingSysctls.IPV6),
            "2 forwards");
    store.writePending(pending);
    assertThat(store.pending()).contains(pending);
    store.clearPending();
    assertThat(store.pending()).isEmpty();
  }

  @Test
  void damagedFileIsReportedWithWhatToDo() throws IOException {
    StateStore store = new StateStore(dir);
    store.push(snapshot("a", "1000 192.0.2.2\n"));
    Path file = dir.resolve("history/0000000001.state");
    Files.writeString(
        file, Files.readString(file).lines().findFirst().orElseThrow() + "\n"); // truncated
    assertThatThrownBy(store::history)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("damaged")
        .hasMessageContaining("move it away");
  }

  @Test
  void aFileOfBytesThatAreNotTextIsDamagedAndNamed() throws IOException {
    StateStore store = new StateStore(dir);
    store.push(snapshot("a", "1000 192.0.2.2\n"));
    Path file = dir.resolve("history/0000000001.state");
    Files.write(file, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '\n'});
    assertThatThrownBy(store::history)
        .isInstanceOf(IOException.class)
        .hasMessage(file + " is damaged (not UTF-8 text); move it away and apply again");
    Path pending = dir.resolve("pending.state");
    Files.write(pending, new byte[] {(byte) 0xc3, '{', '\n'});
    assertThatThrownBy(store::pending).hasMessageStartingWith(pending + " is damaged (not UTF-8");
    assertThatThrownBy(store::pendingHead)
        .hasMessageStartingWith(pending + " is damaged (not UTF-8");
  }

  @Test
  void whatADamagedFileSaysReachesTheMessageEscaped() throws IOException {
    StateStore store = new StateStore(dir);
    store.push(snapshot("a", "1000 192.0.2.2\n"));
    Path file = dir.resolve("history/0000000001.state");
    Files.writeString(file, "{\"source\":\"a\",\"\u202e\u001b[2J\":1}\n");
    assertThatThrownBy(store::history)
        .hasMessageContaining("is damaged")
        .message()
        .doesNotContain("\u202e", "\u001b");
  }

  @Test
  void aStateNamingAnotherSysctlThanForwardingIsDamaged() throws IOException {
    StateStore store = new StateStore(dir);
    // Restores switch the named sysctls on and off as root.
    store.push(
        new Snapshot("planted", Instant.EPOCH, "nftables", List.of(), Set.of("kernel.sysrq")));
    assertThatThrownBy(store::history)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(
            "is damaged ('forwardingOn' names kernel.sysrq, which is not a forwarding sysctl)");
  }

  @Test
  void descriptionsCutByTheKernelStillCountAsTheSameForwards() {
    Snapshot full = snapshot("a", "1000 192.0.2.2 tcp # a long description\n");
    Snapshot cut = snapshot("b", "1000 192.0.2.2 tcp # a long\n");
    Snapshot other = snapshot("c", "1000 192.0.2.3 tcp # a long description\n");
    assertThat(full.sameForwardsAs(cut.lines())).isTrue();
    assertThat(full.sameForwardsAs(other.lines())).isFalse();
    assertThat(full.sameForwardsAs(List.of())).isFalse();
  }

  @Test
  void readingNeverCreatesTheDirectory() throws IOException {
    StateStore store = new StateStore(dir.resolve("absent"));
    assertThat(store.history()).isEmpty();
    assertThat(store.pending()).isEmpty();
    assertThat(dir.resolve("absent")).doesNotExist();
  }

  @Test
  void theHolderMayTakeTheLockAgainAndReleasesItWithTheOutermostHold(@TempDir Path dir)
      throws Exception {
    StateStore store = new StateStore(dir);
    try (StateStore.Lock outer = store.lock()) {
      try (StateStore.Lock inner = store.lock(Duration.ZERO)) {
        assertThat(store.isLockedByThisThread()).isTrue();
      }
      assertThat(store.isLockedByThisThread()).as("still held by the outer hold").isTrue();
      assertThat(takenElsewhere(store))
          .as("another thread waits while the outer hold lasts")
          .isFalse();
    }
    assertThat(store.isLockedByThisThread()).isFalse();
    assertThat(takenElsewhere(store)).as("free once the outermost hold is closed").isTrue();
  }

  @Test
  void aSecondChangeWaitsBoundedThenSaysWhoHoldsTheLock(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    try (StateStore.Lock held = store.lock()) {
      long start = System.nanoTime();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread other =
          new Thread(
              () -> {
                try (StateStore.Lock lock = store.lock(Duration.ofMillis(300))) {
                  failure.set(new AssertionError("took a lock that was held"));
                } catch (IOException e) {
                  failure.set(e);
                }
              });
      other.start();
      other.join(10_000);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(failure.get())
          .isInstanceOf(StateLockedException.class)
          .hasMessageContaining("another portfwd command is changing the rules")
          .hasMessageContaining("waited 0 s")
          .hasMessageContaining("nothing was changed");
    }
  }

  @Test
  void theLockFileNamesItsHolder(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    try (StateStore.Lock held = store.lock()) {
      assertThat(Files.readString(dir.resolve("lock")))
          .isEqualTo("pid " + ProcessHandle.current().pid() + "\n");
    }
  }

  /** Whether another thread gets the lock within 200 ms. */
  private static boolean takenElsewhere(StateStore store) throws InterruptedException {
    AtomicBoolean taken = new AtomicBoolean();
    Thread other =
        new Thread(
            () -> {
              try (StateStore.Lock lock = store.lock(Duration.ofMillis(200))) {
                taken.set(true);
              } catch (IOException e) {
                taken.set(false);
              }
            });
    other.start();
    other.join(10_000);
    return taken.get();
  }
}
