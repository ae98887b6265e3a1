package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdleSweeperTest {

  private final EventLoop loop = new DefaultEventLoop();
  private final List<String> ended = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** Runs {@code work} on the sweeper's loop, as the relay does, and waits for it. */
  private void onLoop(Runnable work) throws Exception {
    loop.submit(work).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aQuietConnectionEndsAfterTheTimeoutAndNotBeforeWhileTrafficKeepsAnotherOpen()
      throws Exception {
    // An hour: the loop's own task never runs here; the test sweeps by hand.
    IdleSweeper sweeper = new IdleSweeper(loop, Duration.ofHours(1));
    IdleSweeper.Entry[] entries = new IdleSweeper.Entry[2];
    onLoop(
        () -> {
          entries[0] = sweeper.add(() -> ended.add("quiet"));
          entries[1] = sweeper.add(() -> ended.add("busy"));
        });
    // Each sweep is an eighth of the timeout; the first one may come right after the last data.
    for (int sweep = 1; sweep <= IdleSweeper.SWEEPS; sweep++) {
      onLoop(sweeper::sweep);
      onLoop(entries[1]::active);
    }
    assertThat(ended).isEmpty();
    onLoop(sweeper::sweep);
    assertThat(ended).containsExactly("quiet");
    assertThat(sweeper.size()).isEqualTo(1);
    onLoop(sweeper::sweep);
    assertThat(ended).containsExactly("quiet");
  }

  @Test
  void aClosedConnectionIsForgottenAndTheLoopsTaskEndsWithTheLast() throws Exception {
    IdleSweeper sweeper = new IdleSweeper(loop, Duration.ofMillis(80));
    IdleSweeper.Entry[] entry = new IdleSweeper.Entry[1];
    onLoop(() -> entry[0] = sweeper.add(() -> ended.add("closed")));
    onLoop(() -> sweeper.remove(entry[0]));
    onLoop(() -> sweeper.remove(entry[0]));
    assertThat(sweeper.size()).isZero();
    Thread.sleep(300);
    assertThat(ended).isEmpty();
  }

  @Test
  void theLoopsOwnTaskEndsAnIdleConnection() throws Exception {
    IdleSweeper sweeper = new IdleSweeper(loop, Duration.ofMillis(80));
    onLoop(() -> sweeper.add(() -> ended.add("idle")));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ended.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ended).containsExactly("idle");
    onLoop(() -> assertThat(sweeper.size()).isZero());
  }
}
