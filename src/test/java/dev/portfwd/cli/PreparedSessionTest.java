package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.state.Snapshot;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedSessionTest {

  static final KernelSessionTest.FakeHost ROOT = new KernelSessionTest.FakeHost("0", true);

  @Test
  void tableAndSessionArePreparedAtTheSameTime() throws InterruptedException {
    CountDownLatch tableStarted = new CountDownLatch(1);
    CountDownLatch sessionStarted = new CountDownLatch(1);
    PreparedSession prepared = PreparedSession.prepare(
        () -> {
          tableStarted.countDown();
          await(sessionStarted);
          return DesiredState.empty();
        },
        () -> {
          sessionStarted.countDown();
          await(tableStarted);
          return KernelSession.open(BackendChoice.nftables, ROOT);
        },
        session -> Optional.of(DesiredState.empty()));

    assertThat(prepared.desired()).isEqualTo(DesiredState.empty());
    assertThat(prepared.session().backend.name()).isEqualTo("nftables");
    assertThat(prepared.recorded()).contains(DesiredState.empty());
  }

  @Test
  void aTablesErrorsWinOverTheSessionsFailure() {
    assertThatThrownBy(() -> PreparedSession.prepare(
            () -> {
              throw PortfwdException.invalidInput("2 errors in t.txt; nothing was changed");
            },
            () -> KernelSession.open(BackendChoice.auto, new KernelSessionTest.FakeHost("1000", true)),
            session -> Optional.empty()))
        .isInstanceOfSatisfying(PortfwdException.class, e -> {
          assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
          assertThat(e.getMessage()).contains("2 errors");
        });
  }

  @Test
  void theSessionsFailureSurfacesAsItsOwnOneLineError() {
    assertThatThrownBy(() -> PreparedSession.prepare(
            DesiredState::empty,
            () -> KernelSession.open(BackendChoice.auto, new KernelSessionTest.FakeHost("1000", true)),
            session -> Optional.empty()))
        .isInstanceOfSatisfying(PortfwdException.class, e -> {
          assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE);
          assertThat(e.getMessage()).isEqualTo("changing or reading kernel forwarding needs root; run it with sudo");
        });
  }

  @Test
  void theRecordIsReadWhenTheKernelCarriesADigest(@TempDir Path dir) throws IOException {
    StateStore store = storeWithOneRecord(dir);
    KernelSession session = KernelSession.open(BackendChoice.nftables, new DigestHost(true));

    assertThat(PreparedSession.record(session, Optional.of(store))).isPresent()
        .get().extracting(state -> state.forwards().size()).isEqualTo(1);
    assertThat(PreparedSession.record(session, Optional.empty())).as("--reread").isEmpty();
  }

  @Test
  void theRecordIsNotReadWhenTheKernelHasNoDigestToMatchIt(@TempDir Path dir) throws IOException {
    StateStore store = storeWithOneRecord(dir);
    KernelSession session = KernelSession.open(BackendChoice.nftables, new DigestHost(false));

    assertThat(PreparedSession.record(session, Optional.of(store))).isEmpty();
  }

  private static StateStore storeWithOneRecord(Path dir) throws IOException {
    StateStore store = new StateStore(dir);
    store.push(new Snapshot("/etc/portfwd/ports.txt", Instant.parse("2026-11-25T08:00:00Z"), "nftables",
        List.of("IPV4\t-\tTCP\t13102\t192.0.2.2\t80\t-\tyes\tNetbook Apache"), Set.of()));
    return store;
  }

  /** A root host whose nft table carries a digest, or has no table. */
  private static final class DigestHost implements CommandRunner {
    private final boolean digest;

    DigestHost(boolean digest) {
      this.digest = digest;
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
      if (argv.equals(List.of("id", "-u"))) {
        return new CommandResult(argv, 0, "0\n", "");
      }
      if (digest && argv.equals(List.of("nft", "list", "set", "inet", "portfwd", "ruleset_v2"))) {
        return new CommandResult(argv, 0, "elements = { 0 comment \"crc64 0123456789abcdef\" }\n", "");
      }
      return new CommandResult(argv, 1, "", "Error: No such file or directory");
    }

    @Override
    public boolean isInstalled(String program) {
      return true;
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).as("the other half ran at the same time").isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
