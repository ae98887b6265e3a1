package dev.portfwd.relay;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The idle timeout of the TCP connections of one event loop. Netty's {@code IdleStateHandler} costs
 * each connection a handler, its pipeline context, a scheduled task and a listener on every write;
 * with thousands of idle connections that is a good part of the relay's heap. Here one task per
 * loop looks at its connections every eighth of the timeout and ends those that stayed quiet
 * through eight looks in a row after the one that first saw them quiet: never before the timeout,
 * at most an eighth of it after. Only its event loop touches it.
 */
final class IdleSweeper {

  static final int SWEEPS = 8;

  /** The sweepers of a relay's event loops, made on a loop's first connection. */
  static final class PerLoop {
    private final Duration timeout;
    private final Map<EventLoop, IdleSweeper> sweepers = new ConcurrentHashMap<>();

    PerLoop(Duration timeout) {
      this.timeout = timeout;
    }

    IdleSweeper of(EventLoop loop) {
      return sweepers.computeIfAbsent(loop, l -> new IdleSweeper(l, timeout));
    }
  }

  /** One connection: marked on its data either way, ended when quiet too long. */
  static final class Entry {
    private final Runnable onTimeout;
    private Entry previous;
    private Entry next;
    private int quietSweeps;
    private boolean listed;

    private Entry(Runnable onTimeout) {
      this.onTimeout = onTimeout;
    }

    /** Data passed: the connection is not idle. */
    void active() {
      quietSweeps = 0;
    }
  }

  private final EventLoop loop;
  private final long periodNanos;
  private Entry first;
  private int size;
  private ScheduledFuture<?> task;

  IdleSweeper(EventLoop loop, Duration timeout) {
    this.loop = loop;
    this.periodNanos = Math.max(1, timeout.toNanos() / SWEEPS);
  }

  /** Starts watching a connection; {@code onTimeout} runs on the loop when it was idle too long. */
  Entry add(Runnable onTimeout) {
    Entry entry = new Entry(onTimeout);
    entry.next = first;
    if (first != null) {
      first.previous = entry;
    }
    first = entry;
    entry.listed = true;
    size++;
    if (task == null) {
      task = loop.scheduleAtFixedRate(this::sweep, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
    return entry;
  }

  /** Stops watching (the connection closed); the loop's task ends with its last connection. */
  void remove(Entry entry) {
    if (!entry.listed) {
      return;
    }
    entry.listed = false;
    if (entry.previous != null) {
      entry.previous.next = entry.next;
    } else {
      first = entry.next;
    }
    if (entry.next != null) {
      entry.next.previous = entry.previous;
    }
    entry.previous = null;
    entry.next = null;
    size--;
    if (size == 0 && task != null) {
      task.cancel(false);
      task = null;
    }
  }

  /** How many connections are watched (tests). */
  int size() {
    return size;
  }

  void sweep() {
    Entry entry = first;
    while (entry != null) {
      Entry next = entry.next;
      if (++entry.quietSweeps > SWEEPS) {
        remove(entry);
        entry.onTimeout.run();
      }
      entry = next;
    }
  }
}
