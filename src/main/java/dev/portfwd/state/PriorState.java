package dev.portfwd.state;

import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The forwards installed before a plan is applied, read off the plan itself (which the backend
 * computed from the live kernel): the plan's result, minus what it adds, with what it changes or
 * removes put back as it was. No extra kernel read, so it is exactly the state the plan replaces.
 */
public final class PriorState {

  private PriorState() {}

  /**
   * The {@link ForwardLine}s of {@link #of}{@code (plan)}, given {@code desiredLines}, those of
   * {@code plan.desired()} in its order: only the forwards the plan changes are formatted (the
   * others' lines are shared), which matters at 10,000 forwards in a cold JVM. Both states are
   * canonical and sorted by key, so one merge walk puts the restored forwards in place.
   */
  static List<String> lines(Plan plan, List<String> desiredLines) {
    if (plan.changes().isEmpty()) {
      return desiredLines;
    }
    Set<CompiledForward.Key> replaced = new HashSet<>();
    List<CompiledForward> restored = new ArrayList<>();
    for (ForwardChange change : plan.changes()) {
      change.after().ifPresent(f -> replaced.add(f.key()));
      change.before().ifPresent(restored::add);
    }
    restored.sort(CompiledForward.ORDER);
    List<CompiledForward> desired = plan.desired().forwards();
    List<String> lines = new ArrayList<>(desired.size() + restored.size());
    int next = 0;
    for (int i = 0; i < desired.size(); i++) {
      CompiledForward forward = desired.get(i);
      while (next < restored.size()
          && CompiledForward.ORDER.compare(restored.get(next), forward) < 0) {
        lines.add(ForwardLine.format(restored.get(next++)));
      }
      if (!replaced.contains(forward.key())) {
        lines.add(desiredLines.get(i));
      }
    }
    while (next < restored.size()) {
      lines.add(ForwardLine.format(restored.get(next++)));
    }
    return lines;
  }

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
        case REMOVE ->
            forwards.put(change.before().orElseThrow().key(), change.before().orElseThrow());
      }
    }
    return new DesiredState(List.copyOf(forwards.values()));
  }
}
