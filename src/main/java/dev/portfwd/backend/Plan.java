package dev.portfwd.backend;

import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@code apply} (or {@code remove}) will do: the per-forward changes people read and the
 * exact script the backend hands to the kernel ({@code nft -f} input, or {@code iptables-restore}
 * input), which {@code plan --script} prints unchanged.
 *
 * @param backend the backend that made the plan and must apply it
 * @param desired the forwards that will be installed afterwards
 * @param script empty when the kernel already holds {@code desired}
 */
public record Plan(
    String backend, DesiredState desired, List<ForwardChange> changes, String script) {

  public Plan {
    changes =
        changes.stream()
            .sorted(Comparator.comparing(ForwardChange::subject, CompiledForward.ORDER))
            .toList();
  }

  /** True when applying changes nothing in the kernel. */
  public boolean isEmpty() {
    return script.isEmpty();
  }

  public long count(ForwardChange.Kind kind) {
    return count(changes, kind);
  }

  /** {@code 3 to add, 1 to change, 0 to remove}. */
  public String summary() {
    if (changes.isEmpty() && !isEmpty()) {
      // A table made by another portfwd version, or portfwd's own objects edited by hand.
      return "no forward changes; portfwd's own rules are rewritten";
    }
    return summary(changes);
  }

  /** {@code 3 to add, 1 to change, 0 to remove} of {@code changes}. */
  public static String summary(List<ForwardChange> changes) {
    return count(changes, ForwardChange.Kind.ADD)
        + " to add, "
        + count(changes, ForwardChange.Kind.CHANGE)
        + " to change, "
        + count(changes, ForwardChange.Kind.REMOVE)
        + " to remove";
  }

  private static long count(List<ForwardChange> changes, ForwardChange.Kind kind) {
    return changes.stream().filter(c -> c.kind() == kind).count();
  }

  /** Per-forward changes of {@code before → after}, matched by {@link CompiledForward#key()}. */
  public static List<ForwardChange> diff(
      List<CompiledForward> before, List<CompiledForward> after) {
    Map<CompiledForward.Key, CompiledForward> old = new HashMap<>();
    before.forEach(f -> old.put(f.key(), f));
    List<ForwardChange> changes = new ArrayList<>();
    for (CompiledForward wanted : after) {
      CompiledForward existing = old.remove(wanted.key());
      if (existing == null) {
        changes.add(ForwardChange.add(wanted));
      } else if (!existing.equals(wanted)) {
        changes.add(ForwardChange.change(existing, wanted));
      }
    }
    old.values().forEach(f -> changes.add(ForwardChange.remove(f)));
    return changes;
  }
}
