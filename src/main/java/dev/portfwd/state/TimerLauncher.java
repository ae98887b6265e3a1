package dev.portfwd.state;

import java.io.IOException;

/**
 * Starts the rollback timer of an {@code apply --confirm} as a process of its own, so it outlives
 * the terminal and the process that applied. Returns only once the timer runs (it created {@link
 * StateStore#armedMarker}); apply never changes the kernel without an armed timer.
 */
@FunctionalInterface
public interface TimerLauncher {

  /**
   * @param forwards how many forwards a rollback may have to read: those of the state it restores
   *     plus those in force (the timer needs memory in proportion)
   * @throws IOException when the timer could not be started or did not report in time
   */
  void launch(StateStore store, String id, int forwards) throws IOException;
}
