package dev.portfwd.cli;

import dev.portfwd.backend.BackendException;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.Engine;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableReader;
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

  /**
   * @param tableRead told after each read of the table whether it was valid (the metrics)
   */
  KernelWatchTarget(
      String table,
      Engine engine,
      boolean managesSysctls,
      PrintWriter err,
      Consumer<Boolean> tableRead) {
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
    try {
      return Optional.of(Compiler.compile(result.table()));
    } catch (CompileException e) {
      e.problems().forEach(err::println);
      err.flush();
      return Optional.empty();
    }
  }

  @Override
  public Reconciled reconcile(DesiredState desired, Reason reason) throws BackendException {
    return engine.reconcile(desired, reason, StateOptions.source(table), managesSysctls);
  }
}
