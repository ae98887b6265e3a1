package dev.portfwd.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.DriftProbe;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatcherTest {

  @TempDir Path dir;

  /** Records every reconcile; "drifts" when the test says so. */
  final class FakeTarget implements WatchTarget {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean drifted;
    // Run inside the first reconcile: what happens while the start's apply is under way.
    volatile Runnable duringStart = () -> {};

    @Override
    public Optional<DesiredState> load() {
      try {
        ParseResult result = TableParser.parse("t", Files.readString(table()));
        return result.hasErrors()
            ? Optional.empty()
            : Optional.of(Compiler.compile(result.table()));
      } catch (IOException | CompileException e) {
        return Optional.empty();
      }
    }

    @Override
    public Reconciled reconcile(DesiredState desired, Reason reason) {
      boolean change = reason != Reason.DRIFT || drifted;
      drifted = false;
      calls.add(reason + ":" + desired.forwards().size());
      if (reason == Reason.START) {
        duringStart.run();
      }
      List<ForwardChange> changes =
          change ? desired.forwards().stream().map(ForwardChange::add).toList() : List.of();
      Plan plan = new Plan("fake", desired, changes, change ? "script" : "");
      return new Reconciled(plan, List.of(), null);
    }
  }

  final FakeTarget target = new FakeTarget();
  final StringWriter log = new StringWriter();
  Watcher watcher;
  Thread thread;

  Path table() {
    return dir.resolve("ports.txt");
  }

  void start(Duration interval) throws Exception {
    start(interval, interval, DriftProbe.NONE);
  }

  void start(Duration interval, Duration fullInterval, DriftProbe probe) throws Exception {
    watcher =
        new Watcher(
            table(),
            target,
            interval,
            fullInterval,
            probe,
            Duration.ofMillis(100),
            new PrintWriter(log, true));
    thread =
        new Thread(
            () -> {
              try {
                watcher.run();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    thread.start();
    await(() -> log.toString().contains("watching"));
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (watcher != null) {
      watcher.stop(Duration.ofSeconds(5));
      thread.join(5000);
      assertThat(thread.isAlive()).as("watch stops").isFalse();
    }
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met in 10 s");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void appliesAtStartAndAfterAnEditByRename() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    start(Duration.ofSeconds(60));
    assertThat(target.calls).containsExactly("START:1");

    // Editors write a temporary file and rename it over the table.
    Path temp = dir.resolve(".ports.txt.swp");
    Files.writeString(temp, "1000 192.0.2.2 tcp\n2000 192.0.2.3 tcp\n");
    Files.move(temp, table(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    await(() -> target.calls.contains("EDIT:2"));
    // The watcher logs after the reconcile returns: wait for the line rather than race it.
    await(() -> log.toString().contains("changed; applied it"));
  }

  @Test
  void appliesAnEditSavedWhileTheFirstApplyRuns() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    target.duringStart =
        () -> {
          try {
            Path temp = dir.resolve(".ports.txt.swp");
            Files.writeString(temp, "1000 192.0.2.2 tcp\n2000 192.0.2.3 tcp\n");
            Files.move(
                temp, table(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        };
    start(Duration.ofSeconds(60));
    await(() -> target.calls.contains("EDIT:2"));
    assertThat(target.calls).containsExactly("START:1", "EDIT:2");
  }

  @Test
  void logsTheTablesDescriptionsEscaped() throws Exception {
    // A right-to-left override is valid table text but would reorder the journal's line.
    Files.writeString(table(), "1000 192.0.2.2 tcp # evil \u202e txt\n");
    start(Duration.ofSeconds(60));
    await(() -> log.toString().contains("+ 1000/tcp"));
    assertThat(log.toString()).contains("evil \\u202e txt").doesNotContain("\u202e");
  }

  @Test
  void invalidEditKeepsTheRulesInForceAndDriftIsRepairedAgainstTheLastValidTable()
      throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    start(Duration.ofMillis(300));
    Files.writeString(table(), "1000 192.0.2.300\n");
    await(() -> log.toString().contains("has errors; the rules in force stay"));
    assertThat(target.calls).noneMatch(c -> c.startsWith("EDIT"));

    target.drifted = true;
    await(() -> log.toString().contains("drifted"));
    assertThat(target.calls).contains("DRIFT:1");
  }

  @Test
  void burstOfWritesIsReadOnce() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    start(Duration.ofSeconds(60));
    for (int i = 0; i < 5; i++) {
      Files.writeString(
          table(), "1000 192.0.2.2 tcp\n" + "2000 192.0.2.3 tcp\n".repeat(i > 3 ? 1 : 0));
      Thread.sleep(10);
    }
    await(() -> target.calls.contains("EDIT:2"));
    // A later edit, well after the burst: any second read of the burst comes before its EDIT:3.
    Files.writeString(table(), "1000 192.0.2.2 tcp\n2000 192.0.2.3 tcp\n3000 192.0.2.4 tcp\n");
    await(() -> target.calls.contains("EDIT:3"));
    assertThat(target.calls).containsExactly("START:1", "EDIT:2", "EDIT:3");
  }

  @Test
  void unrelatedFilesInTheDirectoryAreIgnoredAndQuietDriftChecksLogNothing() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    start(Duration.ofMillis(200));
    Files.writeString(dir.resolve("other.txt"), "x");
    // Three drift checks after the write: the watcher's one thread has seen its event by then.
    int before = target.calls.size();
    await(() -> target.calls.size() >= before + 3);
    assertThat(target.calls).filteredOn(c -> c.startsWith("EDIT")).isEmpty();
    assertThat(target.calls).filteredOn(c -> c.startsWith("DRIFT")).hasSizeGreaterThanOrEqualTo(3);
    assertThat(log.toString()).doesNotContain("drifted");
  }

  @Test
  void invalidTableAtStartAppliesNothing() throws Exception {
    Files.writeString(table(), "1000 192.0.2.300\n");
    Watcher w =
        new Watcher(
            table(),
            target,
            Duration.ofSeconds(1),
            Duration.ofMillis(100),
            new PrintWriter(log, true));
    assertThat(w.run()).isFalse();
    assertThat(target.calls).isEmpty();
  }

  @Test
  void unchangedProbeSkipsFullChecksUntilTheFullInterval() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    AtomicReference<String> chains = new AtomicReference<>("prerouting#1");
    AtomicInteger probes = new AtomicInteger();
    start(
        Duration.ofMillis(100),
        Duration.ofSeconds(60),
        () -> {
          probes.incrementAndGet();
          return Optional.of(chains.get());
        });
    await(() -> probes.get() >= 9); // one after the start's apply, then eight quiet ones
    assertThat(target.calls).as("eight quiet probes, no full check").containsExactly("START:1");

    chains.set(""); // nft flush ruleset
    target.drifted = true;
    await(() -> target.calls.contains("DRIFT:1"));
    await(() -> log.toString().contains("drifted"));
  }

  @Test
  void fullCheckRunsAtTheFullIntervalEvenWhenTheProbeSeesNoChange() throws Exception {
    Files.writeString(table(), "1000 192.0.2.2 tcp\n");
    start(Duration.ofMillis(100), Duration.ofMillis(500), () -> Optional.of("same"));
    await(() -> target.calls.contains("DRIFT:1"));
    assertThat(target.calls.size()).isLessThanOrEqualTo(3);
  }
}
