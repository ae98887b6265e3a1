package dev.portfwd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.table.TableParser;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendMonitorTest {

  private final AtomicLong now = new AtomicLong();
  private final Set<String> dead = new HashSet<>();
  private final AtomicReference<Resolution> dns = new AtomicReference<>();
  private final List<String> changes = new ArrayList<>();
  private final List<ForwardTable> applied = new ArrayList<>();
  private BackendMonitor monitor;

  private BackendMonitor monitor() {
    monitor =
        new BackendMonitor(
            (name, family) -> dns.get(),
            (target, timeout) -> dead.contains(target.toString()) ? "connection refused" : null,
            new BackendMonitor.Settings(
                Duration.ofSeconds(2), 3, 2, Duration.ofSeconds(5), Duration.ofSeconds(300)),
            now::get,
            new BackendMonitor.Listener() {
              @Override
              public void changed(ForwardTable effective, String why) {
                applied.add(effective);
                changes.add(why);
              }
            });
    return monitor;
  }

  @AfterEach
  void close() {
    if (monitor != null) {
      monitor.close();
    }
  }

  private static ForwardTable table(String text) {
    return TableParser.parse("t", text).table();
  }

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void aDeadBackendLeavesAfterThreeRoundsAndReturnsAfterTwoEachChangeOnce() throws Exception {
    BackendMonitor m = monitor();
    ForwardTable first = m.table(table("80 192.0.2.2,192.0.2.18 80 tcp\n"));
    assertThat(first.forwards().get(0).backend()).isEqualTo(ip("192.0.2.2"));

    dead.add("192.0.2.2:80");
    m.round();
    m.round();
    assertThat(applied).isEmpty();
    m.round();
    assertThat(changes)
        .containsExactly("backend 192.0.2.2:80 is down after 3 failed checks (connection refused)");
    assertThat(applied.get(0).forwards().get(0).backend()).isEqualTo(ip("192.0.2.18"));
    m.round();
    assertThat(applied).hasSize(1);

    dead.clear();
    m.round();
    m.round();
    assertThat(applied).hasSize(2);
    assertThat(applied.get(1).forwards().get(0).backend()).isEqualTo(ip("192.0.2.2"));
  }

  @Test
  void aNameIsAskedAgainWhenItsTtlRunsOutAndAFailureKeepsTheLastAddresses() throws Exception {
    dns.set(Resolution.of(List.of(ip("192.0.2.2")), Duration.ofSeconds(30)));
    BackendMonitor m = monitor();
    assertThat(m.table(table("80 game.test 80 tcp check=none\n")).forwards().get(0).backend())
        .isEqualTo(ip("192.0.2.2"));

    dns.set(Resolution.of(List.of(ip("192.0.2.18")), Duration.ofSeconds(30)));
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    m.round();
    assertThat(applied).isEmpty(); // not due yet
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    m.round();
    assertThat(changes).containsExactly("game.test now resolves to 192.0.2.18 (was 192.0.2.2)");

    dns.set(Resolution.failed("no such name"));
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    m.round();
    assertThat(applied).hasSize(1);
    assertThat(m.effective().forwards().get(0).backend()).isEqualTo(ip("192.0.2.18"));
  }

  @Test
  void ttlsAreBoundedByTheMinimumAndMaximum() throws Exception {
    dns.set(Resolution.of(List.of(ip("192.0.2.2")), Duration.ofSeconds(1)));
    BackendMonitor m = monitor();
    m.table(table("80 game.test 80 tcp check=none\n"));
    dns.set(Resolution.of(List.of(ip("192.0.2.18")), Duration.ofSeconds(1)));
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    m.round();
    assertThat(applied).isEmpty(); // a 1 s TTL is kept 5 s (--dns-min-ttl)
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    m.round();
    assertThat(applied).hasSize(1);
  }

  @Test
  void aFailingBackendIsCheckedTwiceAsOftenUntilItLeavesButAReturningOneIsNotHurried()
      throws Exception {
    BackendMonitor m = monitor();
    m.table(table("80 192.0.2.2,192.0.2.18 80 tcp\n"));
    m.round();
    assertThat(m.nextDelay()).isEqualTo(Duration.ofSeconds(2));

    dead.add("192.0.2.2:80");
    m.round();
    assertThat(m.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    m.round();
    assertThat(m.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    m.round();
    assertThat(applied).hasSize(1);
    assertThat(m.nextDelay()).isEqualTo(Duration.ofSeconds(2));

    dead.clear();
    m.round();
    assertThat(m.nextDelay()).isEqualTo(Duration.ofSeconds(2));
    m.round();
    assertThat(applied).hasSize(2);
  }

  @Test
  void aBackendGoneFromTheTableNoLongerHurriesTheChecks() throws Exception {
    BackendMonitor m = monitor();
    m.table(table("80 192.0.2.2,192.0.2.18 80 tcp\n"));
    dead.add("192.0.2.2:80");
    m.round();
    assertThat(m.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    m.table(table("80 192.0.2.34,192.0.2.18 80 tcp\n"));
    m.round();
    assertThat(m.nextDelay()).isEqualTo(Duration.ofSeconds(2));
  }
}
