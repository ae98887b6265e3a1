package dev.portfwd.cli;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.Engine;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableReader;
import dev.portfwd.table.TerminalText;
import dev.portfwd.watch.Reason;
import dev.portfwd.watch.WatchTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code watch}'s link to the real host: loads the table like {@code apply} (printing its
 * diagnostics) and hands each reconcile to the {@link Engine}, which records starts and edits in
 * the state directory and stays out of the way of an {@code apply --confirm} that waits.
 */
final class KernelWatchTarget implements WatchTarget {

  private final String table;
  private final Engine engine;
  private final boolean managesSysctls;
  private final PrintWriter err;
  private final Consumer<Boolean> tableRead;
  private final BackendMonitor monitor;

  /**
   * @param tableRead told after each read of the table whether it was valid (the metrics)
   */
  KernelWatchTarget(
      String table,
      Engine engine,
      boolean managesSysctls,
      PrintWriter err,
      Consumer<Boolean> tableRead,
      BackendMonitor monitor) {
    this.monitor = monitor;
    this.table = table;
    this.engine = engine;
    this.managesSysctls = managesSysctls;
    this.err = err;
    this.tableRead = tableRead;
  }

  /**
   * The table file as it was when last loaded (inode, time, size): a drift check against an older
   * load would put back what a newer write replaced.
   */
  private volatile Optional<FileStamp> loaded = Optional.empty();

  private static final int MAX_SKIPPED_CHECKS = 3;

  /** Drift checks skipped in a row for a change not loaded yet. */
  private volatile int skippedChecks;

  private record FileStamp(Object fileKey, FileTime modified, long size) {}

  private Optional<FileStamp> stamp() {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(Path.of(table), BasicFileAttributes.class);
      return Optional.of(
          new FileStamp(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<DesiredState> load() {
    // Taken before reading: a write during the read counts as a change still to load.
    loaded = stamp();
    skippedChecks = 0;
    Optional<DesiredState> desired = read();
    tableRead.accept(desired.isPresent());
    return desired;
  }

  private Optional<DesiredState> read() {
    ParseResult result;
    try {
      result = TableReader.read(table, System.in);
    } catch (TableReader.TableUnreadableException e) {
      err.println("portfwd watch: " + e.getMessage());
      err.flush();
      return Optional.empty();
    }
    TableLoader.printDiagnostics(result, err);
    if (result.hasErrors()) {
      err.println("portfwd watch: " + TableLoader.summary(result));
      err.flush();
      return Optional.empty();
    }
    ForwardTable effective = monitor.table(result.table());
    monitor
        .unresolved()
        .forEach(
            (name, lines) ->
                err.println(
                    "portfwd watch: backend name "
                        + TerminalText.escape(name)
                        + " of line "
                        + lines
                        + " does not resolve; its forwards wait until it does"));
    try {
      return Optional.of(Compiler.compile(effective));
    } catch (CompileException e) {
      e.problems().forEach(err::println);
      err.flush();
      return Optional.empty();
    }
  }

  /**
   * Applies the table as it is now: with the backends in rotation the checks and names last gave,
   * which may be newer than {@code desired}. One change at a time: the checks' changes and the
   * watch loop's steps take turns.
   */
  @Override
  public synchronized Reconciled reconcile(DesiredState desired, Reason reason)
      throws BackendException {
    if (reason != Reason.DRIFT) {
      return reconcileNow(desired, reason);
    }
    // The dashboard and a rollback in the service change the kernel and write this file under the
    // state lock; the watch loop hears of the write only after its debounce. A drift check that
    // ran in between would put back the table the write replaced: under the lock, it first makes
    // sure the file is the one loaded, and otherwise leaves the check to the reload.
    StateStore.Lock lock;
    try {
      lock = engine.store().lock();
    } catch (IOException e) {
      return new Reconciled(emptyPlan(), List.of(), e.getMessage());
    }
    try (lock) {
      Optional<FileStamp> now = stamp();
      // A file that is gone keeps the last valid table in force; a change whose reload never
      // comes (its directory was replaced) stops no more than a few checks.
      if (now.isPresent() && !now.equals(loaded) && skippedChecks < MAX_SKIPPED_CHECKS) {
        skippedChecks++;
        return new Reconciled(
            emptyPlan(), List.of(), "the table file changed since it was read; reading it first");
      }
      skippedChecks = 0;
      return reconcileNow(desired, reason);
    } catch (IOException e) {
      return new Reconciled(emptyPlan(), List.of(), e.getMessage());
    }
  }

  private Plan emptyPlan() {
    return new Plan(engine.backendName(), DesiredState.empty(), List.of(), "");
  }

  private Reconciled reconcileNow(DesiredState desired, Reason reason) throws BackendException {
    DesiredState now = desired;
    try {
      now = Compiler.compile(monitor.effective());
    } catch (CompileException e) {
      // The rotation gave a table the kernel cannot hold (a name now of another IP version):
      // keep what was loaded.
      e.problems().forEach(err::println);
      err.flush();
    }
    return engine.reconcile(now, reason, StateOptions.source(table), managesSysctls);
  }
}
