package dev.portfwd.state;

import dev.portfwd.apply.ForwardChange;
import dev.portfwd.apply.Plan;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The forwards installed before a plan is applied, read off the plan itself (which the backend
 * computed from the live kernel): the plan's result, minus what it adds, with what it changes or
 * removes put back as it was. No extra kernel read, so it is exactly the state the plan replaces.
 */
public final class PriorState {

  private PriorState() {}

  public static DesiredState of(Plan plan) {
    Map<CompiledForward.Key, CompiledForward> forwards = new LinkedHashMap<>();
    plan.desired().forwards().forEach(f -> forwards.put(f.key(), f));
    for (ForwardChange change : plan.changes()) {
      switch (change.kind()) {
        case ADD -> forwards.remove(change.after().orElseThrow().key());
        case CHANGE -> {
          forwards.remove(change.after().orElseThrow().key());
          forwards.put(change.before().orElseThrow().key(), change.before().orElseThrow());
        }
        case REMOVE -> forwards.put(change.before().orElseThrow().key(), change.before().orElseThrow());
      }
    }
    return new DesiredState(java.util.List.copyOf(forwards.values()));
  }
}
