package dev.portfwd.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignalsTest {

  @Test
  void runsTheActionWhenTheSignalArrives() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    Signals.handle(Signals.Name.USR1, received::countDown);
    Process kill =
        new ProcessBuilder("kill", "-USR1", Long.toString(ProcessHandle.current().pid())).start();
    assertThat(kill.waitFor()).isZero();
    assertThat(received.await(5, TimeUnit.SECONDS)).as("SIGUSR1 handled").isTrue();
  }
}
