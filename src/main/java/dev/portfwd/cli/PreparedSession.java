package dev.portfwd.cli;

import dev.portfwd.compile.DesiredState;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * What {@code plan} and {@code apply} need before they hand over to the engine: the compiled table
 * and the open kernel session. The table is read and compiled on the calling thread while another
 * opens the session (root check, tool probes: mostly waiting for child processes), since neither
 * depends on the other. Failures surface as they did one after the other: a table's errors first,
 * then the session's.
 */
record PreparedSession(DesiredState desired, KernelSession session) {

  static PreparedSession prepare(
      Supplier<DesiredState> compileTable, Supplier<KernelSession> open) {
    FutureTask<KernelSession> opening = new FutureTask<>(open::get);
    Thread opener = new Thread(opening, "portfwd-open");
    opener.setDaemon(true); // a table with errors ends the run without waiting for it
    opener.start();
    DesiredState desired = compileTable.get();
    try {
      return new PreparedSession(desired, opening.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PortfwdException.failure("interrupted while opening the kernel session");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw PortfwdException.failure(e.getCause().getMessage(), e.getCause());
    }
  }
}
