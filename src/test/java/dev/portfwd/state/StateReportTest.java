package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateReportTest {

  @TempDir Path dir;

  final FakeBackend backend = new FakeBackend();

  StateStore store() {
    return new StateStore(dir);
  }

  void applied(String table) throws Exception {
    store()
        .push(
            Snapshot.of(
                "/etc/portfwd/ports.txt",
                Instant.parse("2026-11-25T04:00:00Z"),
                "nftables",
                Forwards.of(table),
                Set.of()));
    backend.installed = Forwards.of(table);
    backend.tablePresent = true;
  }

  @Test
  void namesTheLastAppliedTableWhenTheKernelHoldsIt() throws Exception {
    applied("13102 192.0.2.2 80\n");
    StateReport report = StateReport.of(store(), backend, backend.installed.forwards());
    assertThat(report.live()).isTrue();
    assertThat(report.table()).contains("/etc/portfwd/ports.txt");
    assertThat(report.line())
        .isEqualTo("live table: /etc/portfwd/ports.txt (applied 2026-11-25 04:00:00 UTC)");
  }

  @Test
  void saysWhenTheLiveRulesDiffer() throws Exception {
    applied("13102 192.0.2.2 80\n");
    backend.installed = Forwards.of("13102 192.0.2.3 80\n");
    StateReport report = StateReport.of(store(), backend, backend.installed.forwards());
    assertThat(report.live()).isFalse();
    assertThat(report.table()).isEmpty();
    assertThat(report.line())
        .contains("rules differ from /etc/portfwd/ports.txt")
        .contains("2 to change");
  }

  @Test
  void mentionsAWaitingConfirmation() throws Exception {
    applied("13102 192.0.2.2 80\n");
    store()
        .writePending(
            new PendingConfirmation(
                "p",
                Instant.parse("2026-11-25T04:05:00Z"),
                "nftables",
                1,
                store().current().orElseThrow().snapshot(),
                Set.of(),
                "x"));
    Clock before = Clock.fixed(Instant.parse("2026-11-25T04:04:00Z"), ZoneOffset.UTC);
    assertThat(StateReport.of(store(), backend, backend.installed.forwards(), before).line())
        .contains("waits for confirmation until 2026-11-25 04:05:00 UTC")
        .contains("portfwd confirm");
    Clock longAfter = Clock.fixed(Instant.parse("2026-11-25T05:00:00Z"), ZoneOffset.UTC);
    assertThat(StateReport.of(store(), backend, backend.installed.forwards(), longAfter).line())
        .contains("was not confirmed by 2026-11-25 04:05:00 UTC")
        .contains("timer did not run");
  }

  @Test
  void nothingRecordedIsUnknownNotAnError() throws Exception {
    StateReport report = StateReport.of(new StateStore(dir.resolve("none")), backend, List.of());
    assertThat(report.live()).isFalse();
    assertThat(report.line()).startsWith("live table: unknown (nothing recorded in");
    assertThat(dir.resolve("none")).doesNotExist();
  }
}
