package dev.portfwd.cli;

import dev.portfwd.backend.BackendException;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.Engine;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.BackendMonitor;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableReader;
import dev.portfwd.table.TerminalText;
import dev.portfwd.watch.Reason;
import dev.portfwd.watch.WatchTarget;
import java.io.PrintWriter;
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

  @Override
  public Optional<DesiredState> load() {
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
