package dev.portfwd.cli;

import dev.portfwd.apply.BackendException;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.state.StateStore;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What {@code plan} and {@code apply} need before planning: the compiled table, the open kernel
 * session and the record of the last apply. The table is read and compiled on the calling thread
 * while another opens the session (root check, tool probes: mostly waiting for child processes)
 * and reads the record, since neither depends on the other: at 10,000 forwards that hides the
 * 100 ms or so the second part takes. Failures surface as they did one after the other: a table's
 * errors first, then the session's.
 *
 * @param recorded empty with {@code --reread}, or when there is no record for the chosen backend
 */
record PreparedSession(DesiredState desired, KernelSession session, Optional<DesiredState> recorded) {

  /** For {@code backend}, with the record from {@code recordStore} (empty: none, as for {@code --reread}). */
  static PreparedSession prepare(Supplier<DesiredState> compileTable, BackendChoice backend,
      Optional<StateStore> recordStore) {
    return prepare(compileTable, () -> KernelSession.open(backend),
        session -> record(session, recordStore));
  }

  /**
   * The record of the last apply with {@code session}'s backend, read from {@code store} only when
   * the backend may use it: a first apply of 10,000 forwards need not parse an old record of
   * 10,000 lines. A kernel that fails to answer here counts as no: planning asks it again and
   * reports what went wrong.
   */
  static Optional<DesiredState> record(KernelSession session, Optional<StateStore> store) {
    try {
      if (store.isEmpty() || !session.backend.mayUseRecord()) {
        return Optional.empty();
      }
    } catch (BackendException e) {
      return Optional.empty();
    }
    return StateOptions.lastApplied(store.get(), session.backend.name());
  }

  static PreparedSession prepare(Supplier<DesiredState> compileTable, Supplier<KernelSession> open,
      Function<KernelSession, Optional<DesiredState>> record) {
    FutureTask<Opened> opening = new FutureTask<>(() -> {
      KernelSession session = open.get();
      return new Opened(session, record.apply(session));
    });
    Thread opener = new Thread(opening, "portfwd-open");
    opener.setDaemon(true); // a table with errors ends the run without waiting for it
    opener.start();
    DesiredState desired = compileTable.get();
    Opened opened;
    try {
      opened = opening.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PortfwdException.failure("interrupted while opening the kernel session");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw PortfwdException.failure(e.getCause().getMessage(), e.getCause());
    }
    return new PreparedSession(desired, opened.session(), opened.recorded());
  }

  private record Opened(KernelSession session, Optional<DesiredState> recorded) {}
}
