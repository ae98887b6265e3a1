package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopChooserTest {

  private final LoopChooser chooser = new LoopChooser();
  private EventLoopGroup group;
  private EventLoop first;
  private EventLoop second;

  @BeforeEach
  void start() {
    group =
        new MultiThreadIoEventLoopGroup(2, (Executor) null, chooser, LocalIoHandler.newFactory());
    List<EventLoop> loops = new ArrayList<>();
    group.forEach(loop -> loops.add((EventLoop) loop));
    first = loops.get(0);
    second = loops.get(1);
  }

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** What the group chooses when asked on {@code loop}, as an acceptor there asks. */
  private EventExecutor chosenOn(EventLoop loop) throws Exception {
    Callable<EventExecutor> next = group::next;
    return loop.submit(next).get(5, TimeUnit.SECONDS);
  }

  @Test
  void keepsSequentialConnectionsOnTheLoopThatAcceptedThem() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(chosenOn(first)).isSameAs(first);
      chooser.closed(first);
      assertThat(chosenOn(second)).isSameAs(second);
      chooser.closed(second);
    }
    assertThat(chooser.open(first)).isZero();
    assertThat(chooser.open(second)).isZero();
  }

  @Test
  void spreadsConnectionsThatStayOpenOverEveryLoop() throws Exception {
    List<EventExecutor> chosen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      chosen.add(chosenOn(first));
    }
    assertThat(chosen).containsExactly(first, second, first, second, first, second);
    assertThat(chooser.open(first)).isEqualTo(3);
    assertThat(chooser.open(second)).isEqualTo(3);
  }

  @Test
  void sendsANewConnectionToTheLoopWithFewerOpenOnes() throws Exception {
    chosenOn(first);
    chosenOn(second);
    chosenOn(second);
    chooser.closed(first);
    // first holds none, second two: the acceptor on second hands over.
    assertThat(chosenOn(second)).isSameAs(first);
    // Now one against two: still first.
    assertThat(chosenOn(second)).isSameAs(first);
    // Two each: a tie stays on the accepting loop.
    assertThat(chosenOn(second)).isSameAs(second);
  }

  @Test
  void dealsChoicesFromOtherThreadsInTurnWithoutCountingThem() {
    EventExecutor a = group.next();
    EventExecutor b = group.next();
    assertThat(List.of(a, b)).containsExactlyInAnyOrder(first, second);
    assertThat(group.next()).isSameAs(a);
    assertThat(chooser.open(first)).isZero();
    assertThat(chooser.open(second)).isZero();
  }
}
