package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.compile.DesiredState;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PreparedSessionTest {

  static final KernelSessionTest.FakeHost ROOT = new KernelSessionTest.FakeHost("0", true);

  @Test
  void tableAndSessionArePreparedAtTheSameTime() throws InterruptedException {
    CountDownLatch tableStarted = new CountDownLatch(1);
    CountDownLatch sessionStarted = new CountDownLatch(1);
    PreparedSession prepared =
        PreparedSession.prepare(
            () -> {
              tableStarted.countDown();
              await(sessionStarted);
              return DesiredState.empty();
            },
            () -> {
              sessionStarted.countDown();
              await(tableStarted);
              return KernelSession.open(BackendChoice.nftables, ROOT);
            });

    assertThat(prepared.desired()).isEqualTo(DesiredState.empty());
    assertThat(prepared.session().backend.name()).isEqualTo("nftables");
  }

  @Test
  void aTablesErrorsWinOverTheSessionsFailure() {
    assertThatThrownBy(
            () ->
                PreparedSession.prepare(
                    () -> {
                      throw PortfwdException.invalidInput("2 errors in t.txt; nothing was changed");
                    },
                    () ->
                        KernelSession.open(
                            BackendChoice.auto, new KernelSessionTest.FakeHost("1000", true))))
        .isInstanceOfSatisfying(
            PortfwdException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
              assertThat(e.getMessage()).contains("2 errors");
            });
  }

  @Test
  void theSessionsFailureSurfacesAsItsOwnOneLineError() {
    assertThatThrownBy(
            () ->
                PreparedSession.prepare(
                    DesiredState::empty,
                    () ->
                        KernelSession.open(
                            BackendChoice.auto, new KernelSessionTest.FakeHost("1000", true))))
        .isInstanceOfSatisfying(
            PortfwdException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE);
              assertThat(e.getMessage())
                  .isEqualTo("changing or reading kernel forwarding needs root; run it with sudo");
            });
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS))
          .as("the other half ran at the same time")
          .isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
