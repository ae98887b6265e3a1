package dev.portfwd.state;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import java.util.ArrayList;
import java.util.List;

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

  @Override
  public Plan planRemove() {
    var changes = Plan.diff(installed.forwards(), List.of());
    return new Plan(name(), DesiredState.empty(), changes, tablePresent ? "remove" : "");
  }
}
