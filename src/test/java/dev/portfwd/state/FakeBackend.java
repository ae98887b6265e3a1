package dev.portfwd.state;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An in-memory backend: what is "installed" is a DesiredState; a plan's script names the target.
 */
public final class FakeBackend implements Backend {

  public DesiredState installed = DesiredState.empty();
  boolean tablePresent;
  public final List<Plan> applied = new ArrayList<>();
  int plans;

  /** How many of the next applies fail, as a busy or broken nft would. */
  public int failNext;

  @Override
  public String name() {
    return "nftables";
  }

  @Override
  public void requireUsable() {}

  @Override
  public boolean isInstalled() {
    return tablePresent;
  }

  @Override
  public Plan plan(DesiredState desired) {
    plans++;
    var changes = Plan.diff(installed.forwards(), desired.forwards());
    boolean same = changes.isEmpty() && tablePresent;
    return new Plan(name(), desired, changes, same ? "" : "install " + desired.forwards().size());
  }

  /** What {@link #mayUseRecord} answers; the record last offered to a plan. */
  boolean digestMatches;

  Optional<DesiredState> offeredRecord = Optional.empty();

  @Override
  public boolean mayUseRecord() {
    return digestMatches;
  }

  @Override
  public Plan plan(DesiredState desired, Optional<DesiredState> recorded) {
    offeredRecord = recorded;
    return plan(desired);
  }

  @Override
  public void apply(Plan plan) throws BackendException {
    if (plan.isEmpty()) {
      return;
    }
    if (failNext > 0) {
      failNext--;
      throw new BackendException(
          "nft -f -: exit 1: Error: Could not process rule: Device or resource busy");
    }
    applied.add(plan);
    installed = plan.desired();
    tablePresent = !plan.script().equals("remove");
  }

  @Override
  public List<LiveForward> status() {
    return installed.forwards().stream().map(f -> new LiveForward(f, 0, 0, -1)).toList();
  }

  /** How often {@link #planRemove} was asked (it reads every forward back). */
  int removePlans;

  @Override
  public Plan planRemove() {
    removePlans++;
    var changes = Plan.diff(installed.forwards(), List.of());
    return new Plan(name(), DesiredState.empty(), changes, tablePresent ? "remove" : "");
  }

  /** How often {@link #planRemoveAll} was asked. */
  int removeAllPlans;

  @Override
  public Plan planRemoveAll() {
    removeAllPlans++;
    return new Plan(name(), DesiredState.empty(), List.of(), tablePresent ? "remove" : "");
  }
}
