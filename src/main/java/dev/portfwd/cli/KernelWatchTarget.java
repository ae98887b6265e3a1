package dev.portfwd.cli;

import dev.portfwd.apply.BackendException;
import dev.portfwd.apply.Plan;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.IpFamily;
import dev.portfwd.state.ForwardingSysctls;
import dev.portfwd.state.OverdueConfirmation;
import dev.portfwd.state.SafeApply;
import dev.portfwd.state.StateException;
import dev.portfwd.state.StateStore;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableReader;
import dev.portfwd.watch.Reason;
import dev.portfwd.watch.WatchTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code watch}'s link to the real host: loads the table like {@code apply} and applies through
 * the session's backend. Applies at start and after edits are recorded in the state directory
 * (so {@code status} and {@code rollback} know them); drift repairs restore the recorded state and
 * add nothing. While an {@code apply --confirm} waits, watch stays out of its way.
 */
final class KernelWatchTarget implements WatchTarget {

  private final String table;
  private final KernelSession session;
  private final StateStore store;
  private final boolean managesSysctls;
  private final PrintWriter err;
  /**
   * What this watch last put in the kernel, so an edit is planned without reading the state
   * directory back; the kernel's digest still decides whether it is current (a manual apply in
   * between makes it stale, and the kernel is listed instead).
   */
  private Optional<DesiredState> applied = Optional.empty();

  KernelWatchTarget(String table, KernelSession session, StateStore store, boolean managesSysctls, PrintWriter err) {
    this.table = table;
    this.session = session;
    this.store = store;
    this.managesSysctls = managesSysctls;
    this.err = err;
  }

  @Override
  public Optional<DesiredState> load() {
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
    List<String> notes = new ArrayList<>();
    try {
      OverdueConfirmation.resolve(store, Clock.systemUTC(), () -> StateOptions.restorer(store, session, err))
          .ifPresent(notes::add);
      if (store.pending().isPresent()) {
        return new Reconciled(emptyPlan(), List.of(), "an 'apply --confirm' waits for confirmation");
      }
    } catch (IOException e) {
      err.println("portfwd watch: cannot read " + store.dir() + ": " + e.getMessage());
    }
    // After an edit the record of the last apply is trusted when the kernel proves it current; at
    // start and after drift the kernel is read whole, since something else may have changed it.
    Optional<DesiredState> recorded = reason != Reason.EDIT ? Optional.empty()
        : applied.isPresent() ? applied : StateOptions.lastApplied(store, session.backend.name());
    applied = Optional.empty();
    Plan plan = session.backend.plan(desired, recorded);
    if (reason == Reason.DRIFT) {
      if (!plan.isEmpty()) {
        session.backend.apply(plan);
      }
    } else {
      applyRecorded(plan, notes);
    }
    if (managesSysctls) {
      for (IpFamily family : IpFamily.values()) {
        if (desired.uses(family)) {
          String note = session.host.enableForwarding(family == IpFamily.IPV6);
          if (note != null) {
            notes.add(note);
          }
        }
      }
    }
    applied = Optional.of(plan.desired());
    ApplyCommand.cleanConntrack(session, plan, err);
    return new Reconciled(plan, notes, null);
  }

  /** Applies and records it; a state directory that cannot be written does not stop forwarding. */
  private void applyRecorded(Plan plan, List<String> notes) throws BackendException {
    SafeApply safeApply = new SafeApply(store, session.backend.name(), new ForwardingSysctls(session.runner),
        (s, id) -> {
          throw new IOException("watch never arms a rollback timer");
        }, Clock.systemUTC());
    SafeApply.Guard guard;
    try {
      guard = safeApply.begin(plan, StateOptions.source(table), managesSysctls, Optional.empty());
    } catch (IOException | StateException e) {
      notes.add("could not record the state in " + store.dir() + ": " + e.getMessage());
      if (!plan.isEmpty()) {
        session.backend.apply(plan);
      }
      return;
    }
    try (guard) {
      if (!plan.isEmpty()) {
        session.backend.apply(plan);
      }
      guard.applied();
    } catch (IOException e) {
      notes.add("could not update " + store.dir() + ": " + e.getMessage());
    }
  }

  private Plan emptyPlan() {
    return new Plan(session.backend.name(), DesiredState.empty(), List.of(), "");
  }
}
