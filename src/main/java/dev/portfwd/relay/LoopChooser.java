package dev.portfwd.relay;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorChooserFactory;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the event loop of each accepted TCP connection: the loop with the fewest open
 * connections, and among equals the loop that accepted it. Netty's default deals connections out in
 * turn, so every other connection was handed to another thread, which then had to be woken: on a
 * sequential client that hand-over set the connection rate (bench/RESULTS.md, "The relay's event
 * loops"). Keeping a connection on its accepting loop saves it; counting open connections still
 * spreads concurrent ones over every loop, and better than in turn, since long-lived connections
 * count.
 *
 * <p>A choice from a loop's own thread is an accepted connection (the listeners' acceptors are the
 * only code that registers channels from a loop): it is counted against the chosen loop at once, so
 * a burst accepted in one read is spread too, and {@link #closed} takes it off when the connection
 * closes. Choices from other threads (listeners, timers) go in turn and are not counted.
 */
final class LoopChooser implements EventExecutorChooserFactory {

  /** The group's loops and their open connections, fixed when the group is made. */
  private record Loops(EventExecutor[] loops, Map<EventExecutor, AtomicInteger> open) {}

  private final AtomicInteger turn = new AtomicInteger();
  private volatile Loops group;

  @Override
  public synchronized EventExecutorChooser newChooser(EventExecutor[] executors) {
    if (group != null) {
      throw new IllegalStateException("one chooser serves one event loop group");
    }
    Map<EventExecutor, AtomicInteger> open = new IdentityHashMap<>();
    for (EventExecutor loop : executors) {
      open.put(loop, new AtomicInteger());
    }
    Loops made = new Loops(executors.clone(), open);
    group = made;
    return () -> next(made);
  }

  private EventExecutor next(Loops group) {
    EventExecutor here = null;
    for (EventExecutor loop : group.loops()) {
      if (loop.inEventLoop()) {
        here = loop;
        break;
      }
    }
    if (here == null) {
      return group.loops()[Math.floorMod(turn.getAndIncrement(), group.loops().length)];
    }
    EventExecutor chosen = here;
    int fewest = group.open().get(here).get();
    for (EventExecutor loop : group.loops()) {
      int count = group.open().get(loop).get();
      if (count < fewest) {
        chosen = loop;
        fewest = count;
      }
    }
    group.open().get(chosen).incrementAndGet();
    return chosen;
  }

  /** An accepted connection on {@code loop} closed. */
  void closed(EventExecutor loop) {
    AtomicInteger count = open(group, loop);
    if (count != null) {
      count.decrementAndGet();
    }
  }

  /** The open connections counted against {@code loop} (tests). */
  int open(EventExecutor loop) {
    AtomicInteger count = open(group, loop);
    return count == null ? 0 : count.get();
  }

  private static AtomicInteger open(Loops group, EventExecutor loop) {
    return group == null ? null : group.open().get(loop);
  }
}
