package dev.portfwd.state;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.ForwardingSysctls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Puts the host back into an earlier portfwd state: the forwards through the same backend (one
 * atomic transaction; an empty state deletes portfwd's objects altogether, as before the first
 * apply, without reading them back) and the forwarding sysctls as they were. The one place {@code
 * rollback}, the rollback timer and an unconfirmed {@code apply --confirm} undo changes, so they
 * all undo the same way.
 */
public final class Restorer {

  private final StateStore store;
  private final Backend backend;
  private final ForwardingSysctls sysctls;
  private final Consumer<Plan> afterApply;

  /**
   * @param afterApply runs after each restoring transaction (the CLI clears stale UDP conntrack
   *     entries there); must not throw
   */
  public Restorer(
      StateStore store, Backend backend, ForwardingSysctls sysctls, Consumer<Plan> afterApply) {
    this.store = store;
    this.backend = backend;
    this.sysctls = sysctls;
    this.afterApply = afterApply;
  }

  /** What a rollback did, for the user. */
  public record Result(Plan plan, Snapshot restored, Set<String> switchedOff, String message) {}

  /**
   * Undoes the pending {@code apply --confirm} with id {@code id}, if it is still pending. The
   * caller holds the state lock.
   *
   * @return empty when nothing with that id is pending (it was confirmed or undone already)
   * @throws StateException when the recorded state to restore is not valid; nothing changed
   */
  public Optional<Result> undoPending(String id)
      throws IOException, BackendException, StateException {
    Optional<PendingConfirmation> pending = store.pending();
    if (pending.isEmpty() || !pending.get().id().equals(id)) {
      return Optional.empty();
    }
    return Optional.of(undo(pending.get()));
  }

  /**
   * Undoes {@code pending} (the caller holds the lock and read it from the store).
   *
   * @throws StateException when the recorded state to restore is not valid; nothing changed
   */
  public Result undo(PendingConfirmation pending)
      throws IOException, BackendException, StateException {
    requireBackend(pending.backend());
    DesiredState forwards =
        checked(
            pending.restore(),
            store.pendingFile(),
            "the rules of the unconfirmed apply stay in force; move that file away and apply the"
                + " table you want");
    // What is in force is the state the pending apply recorded, the newest one kept.
    Optional<Snapshot> inForce =
        store.latest(1).stream()
            .filter(e -> e.generation() == pending.generation())
            .map(StateStore.Entry::snapshot)
            .findFirst();
    Result result = restore(pending.restore(), forwards, inForce, pending.switchOff(), Set.of());
    store.dropFrom(pending.generation());
    store.clearPending();
    return result;
  }

  /**
   * Returns to the state applied before the live one and forgets the live one. The caller holds the
   * lock and has checked that nothing is pending.
   *
   * @throws IllegalStateException when the history holds no earlier state
   * @throws StateException when that state is not valid; nothing changed
   */
  public Result rollbackOne() throws IOException, BackendException, StateException {
    var history = store.latest(2);
    if (history.size() < 2) {
      throw new IllegalStateException(
          history.isEmpty()
              ? "nothing to roll back: portfwd has not applied anything with state directory "
                  + store.dir()
              : "nothing to roll back to: no earlier state is recorded in " + store.dir());
    }
    Snapshot current = history.get(0).snapshot();
    Snapshot target = history.get(1).snapshot();
    requireBackend(target.backend());
    DesiredState forwards =
        checked(
            target,
            store.historyFile(history.get(1).generation()),
            "move that file away to roll back past it");
    Set<String> off = new TreeSet<>(current.forwardingOn());
    off.removeAll(target.forwardingOn());
    Set<String> on = new TreeSet<>(target.forwardingOn());
    on.removeAll(current.forwardingOn());
    Result result = restore(target, forwards, Optional.of(current), off, on);
    store.dropFrom(history.get(0).generation());
    return result;
  }

  /**
   * The forwards of the recorded state {@code entry}, checked as a table is before anything puts
   * them back ({@code rollback --to}).
   *
   * @throws StateException when the record is not valid; the message names its file
   */
  public DesiredState checkedForwards(StateStore.Entry entry) throws IOException, StateException {
    return checked(
        entry.snapshot(),
        store.historyFile(entry.generation()),
        "roll back to another state, or apply the table you want");
  }

  /**
   * The forwards of {@code target}, checked as a table is ({@link StateValidator}) before anything
   * changes.
   */
  private static DesiredState checked(Snapshot target, Path file, String fix)
      throws StateException {
    try {
      return StateValidator.validate(target);
    } catch (IllegalArgumentException e) {
      throw new StateException(
          "the state to restore in "
              + file
              + " is not valid ("
              + e.getMessage()
              + "); nothing was changed; "
              + fix,
          e);
    }
  }

  /**
   * @param forwards {@code target}'s forwards, checked
   * @param inForce the recorded state the kernel holds now, if known
   */
  private Result restore(
      Snapshot target,
      DesiredState forwards,
      Optional<Snapshot> inForce,
      Set<String> switchOff,
      Set<String> switchOn)
      throws BackendException {
    Plan plan = target.isEmpty() ? planEmpty(inForce) : planTo(forwards, inForce);
    backend.apply(plan);
    afterApply.accept(plan);
    Set<String> switchedOff = new TreeSet<>();
    for (String key : switchOn) {
      sysctls.set(key, true);
    }
    for (String key : switchOff) {
      if (sysctls.isOn(key)) {
        sysctls.set(key, false);
        switchedOff.add(key);
      }
    }
    StringBuilder message =
        new StringBuilder(
            target.isEmpty()
                ? "restored the state with no portfwd forwards (" + target.backend() + ")"
                : "restored " + target.describe());
    if (plan.isEmpty()) {
      message.append("; the rules in force already matched it");
    } else if (target.isEmpty() && plan.changes().isEmpty()) {
      message.append(": portfwd's rules deleted");
    } else {
      message.append(": ").append(plan.summary());
    }
    if (!switchedOff.isEmpty()) {
      message.append("; switched off ").append(String.join(", ", switchedOff)).append(" again");
    }
    return new Result(plan, target, switchedOff, message.toString());
  }

  /**
   * The way back to no forwards: portfwd's objects deleted, without reading them back from the
   * kernel (a rollback timer would need hundreds of megabytes to list 100,000 elements, and the
   * deletion needs none of it). The forwards that go are named from the record of what is in force,
   * for the message and the UDP clean-up; a record that does not parse names none, and the rules go
   * all the same.
   */
  private Plan planEmpty(Optional<Snapshot> inForce) throws BackendException {
    Plan removal = backend.planRemoveAll();
    if (removal.isEmpty() || inForce.isEmpty() || !inForce.get().backend().equals(backend.name())) {
      return removal;
    }
    List<ForwardChange> removed;
    try {
      removed = inForce.get().forwards().forwards().stream().map(ForwardChange::remove).toList();
    } catch (IllegalArgumentException e) {
      return removal;
    }
    return new Plan(removal.backend(), removal.desired(), removed, removal.script());
  }

  /**
   * The plan back to {@code target}. The record of what is in force is offered to the backend,
   * which uses it instead of reading the kernel only when the kernel proves it current (see {@link
   * Backend#plan(DesiredState, Optional)}): at 100,000 nftables elements that spares a listing
   * whose parse needs far more memory than the records.
   */
  private Plan planTo(DesiredState desired, Optional<Snapshot> inForce) throws BackendException {
    Optional<DesiredState> recorded = Optional.empty();
    if (inForce.isPresent()
        && inForce.get().backend().equals(backend.name())
        && backend.mayUseRecord()) {
      try {
        recorded = Optional.of(inForce.get().forwards());
      } catch (IllegalArgumentException e) {
        // A record that does not parse is no proof of anything: the backend reads the kernel.
      }
    }
    return backend.plan(desired, recorded);
  }

  private void requireBackend(String name) throws BackendException {
    if (!name.equals(backend.name())) {
      throw new BackendException(
          "the state to restore was applied with the "
              + name
              + " backend;"
              + " run the command again with --backend "
              + name);
    }
  }
}
