package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.ForwardingSysctls;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfirmationPromptTest {

  @TempDir Path dir;

  final FakeBackend backend = new FakeBackend();
  final ForwardingSysctls sysctls = new ForwardingSysctls(new FakeSysctls());
  final StringWriter out = new StringWriter();

  StateStore store() {
    return new StateStore(dir);
  }

  PendingConfirmation pending(Duration left) throws Exception {
    StateStore store = store();
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
        new PendingConfirmation(
            "p1",
            Instant.now().plus(left),
            "nftables",
            generation,
            before,
            Set.of(),
            "2 forwards from after");
    store.writePending(pending);
    return pending;
  }

  ConfirmationPrompt.Result await(PendingConfirmation pending, InputStream in) throws Exception {
    return new ConfirmationPrompt(store(), Clock.systemUTC(), Duration.ofMillis(50))
        .await(
            pending,
            in,
            new PrintWriter(out),
            () -> new Restorer(store(), backend, sysctls, p -> {}));
  }

  static InputStream typed(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void yesKeepsTheNewRules() throws Exception {
    ConfirmationPrompt.Result result =
        await(pending(Duration.ofSeconds(30)), typed("maybe\nyes\n"));
    assertThat(result.outcome()).isEqualTo(ConfirmationPrompt.Outcome.CONFIRMED);
    assertThat(out.toString()).contains("Type 'yes' to keep");
    assertThat(store().pending()).isEmpty();
    assertThat(backend.installed).isEqualTo(Forwards.of("2000 192.0.2.2\n"));
  }

  @Test
  void noRollsBackAtOnce() throws Exception {
    ConfirmationPrompt.Result result = await(pending(Duration.ofSeconds(30)), typed("no\n"));
    assertThat(result.outcome()).isEqualTo(ConfirmationPrompt.Outcome.ROLLED_BACK);
    assertThat(backend.installed).isEqualTo(Forwards.of("1000 192.0.2.2\n"));
  }

  @Test
  void closedInputWaitsForTheDeadlineThenRollsBack() throws Exception {
    long start = System.nanoTime();
    ConfirmationPrompt.Result result = await(pending(Duration.ofMillis(500)), typed(""));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(400));
    assertThat(result.outcome()).isEqualTo(ConfirmationPrompt.Outcome.ROLLED_BACK);
    assertThat(result.message()).contains("not confirmed");
    assertThat(backend.installed).isEqualTo(Forwards.of("1000 192.0.2.2\n"));
  }

  @Test
  void confirmationFromAnotherShellEndsTheWait() throws Exception {
    PendingConfirmation pending = pending(Duration.ofSeconds(30));
    new Thread(
            () -> {
              try {
                Thread.sleep(200);
                store().clearPending(); // what 'portfwd confirm' does
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })
        .start();
    try (PipedInputStream silentTerminal = new PipedInputStream(new PipedOutputStream())) {
      ConfirmationPrompt.Result result = await(pending, silentTerminal);
      assertThat(result.outcome()).isEqualTo(ConfirmationPrompt.Outcome.CONFIRMED);
      assertThat(result.message()).contains("from elsewhere");
    }
  }

  @Test
  void yesAfterTheDeadlineIsTooLate() throws Exception {
    ConfirmationPrompt.Result result = await(pending(Duration.ofMillis(-1)), typed("yes\n"));
    assertThat(result.outcome()).isEqualTo(ConfirmationPrompt.Outcome.ROLLED_BACK);
    assertThat(backend.installed).isEqualTo(Forwards.of("1000 192.0.2.2\n"));
  }
}
