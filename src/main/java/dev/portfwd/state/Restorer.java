package dev.portfwd.state;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.ForwardingSysctls;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Puts the host back into an earlier portfwd state: the forwards through the same backend (one
 * atomic transaction; an empty state removes portfwd's objects altogether, as before the first
 * apply) and the forwarding sysctls as they were. The one place {@code rollback}, the rollback
 * timer and an unconfirmed {@code apply --confirm} undo changes, so they all undo the same way.
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
   */
  public Optional<Result> undoPending(String id) throws IOException, BackendException {
    Optional<PendingConfirmation> pending = store.pending();
    if (pending.isEmpty() || !pending.get().id().equals(id)) {
      return Optional.empty();
    }
    return Optional.of(undo(pending.get()));
  }

  /** Undoes {@code pending} (the caller holds the lock and read it from the store). */
  public Result undo(PendingConfirmation pending) throws IOException, BackendException {
    requireBackend(pending.backend());
    Result result = restore(pending.restore(), pending.switchOff(), Set.of());
    store.dropFrom(pending.generation());
    store.clearPending();
    return result;
  }

  /**
   * Returns to the state applied before the live one and forgets the live one. The caller holds the
   * lock and has checked that nothing is pending.
   *
   * @throws IllegalStateException when the history holds no earlier state
   */
  public Result rollbackOne() throws IOException, BackendException {
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
    Set<String> off = new TreeSet<>(current.forwardingOn());
    off.removeAll(target.forwardingOn());
    Set<String> on = new TreeSet<>(target.forwardingOn());
    on.removeAll(current.forwardingOn());
    Result result = restore(target, off, on);
    store.dropFrom(history.get(0).generation());
    return result;
  }

  private Result restore(Snapshot target, Set<String> switchOff, Set<String> switchOn)
      throws BackendException {
    Plan plan = target.isEmpty() ? backend.planRemove() : backend.plan(parse(target));
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
    } else {
      message.append(": ").append(plan.summary());
    }
    if (!switchedOff.isEmpty()) {
      message.append("; switched off ").append(String.join(", ", switchedOff)).append(" again");
    }
    return new Result(plan, target, switchedOff, message.toString());
  }

  private static DesiredState parse(Snapshot target) throws BackendException {
    try {
      return target.forwards();
    } catch (IllegalArgumentException e) {
      throw new BackendException("the recorded state to restore is damaged: " + e.getMessage());
    }
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
