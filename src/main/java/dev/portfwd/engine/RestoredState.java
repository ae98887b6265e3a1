package dev.portfwd.engine;

import dev.portfwd.state.Snapshot;
import java.util.regex.Pattern;

/**
 * What {@link Engine#rollbackTo} did, for the caller to print.
 *
 * @param generation the recorded state asked for
 * @param target that state as recorded
 * @param recordedAs the new state the rollback recorded (the live one now)
 * @param applied the change made, with its confirmation when one waits
 */
public record RestoredState(long generation, Snapshot target, long recordedAs, Applied applied) {

  private static final Pattern EARLIER = Pattern.compile(" \\(rolled back to state \\d+\\)$");

  /**
   * The source recorded for the restored state: the table it first came from, and which state it is
   * again (an earlier mark is dropped, so rolling back twice does not nest them).
   */
  static String source(Snapshot target, long generation) {
    return EARLIER.matcher(target.source()).replaceAll("")
        + " (rolled back to state "
        + generation
        + ")";
  }

  /**
   * {@code rolled back to state 3 (2 forwards from a.txt (nftables)) as state 5: 1 to add, ...}.
   */
  public String message() {
    String what =
        target.isEmpty()
            ? "the state with no portfwd forwards (" + target.backend() + ")"
            : target.describe();
    String change =
        applied.plan().isEmpty()
            ? "the rules in force already matched it"
            : applied.plan().changes().isEmpty()
                ? "portfwd's rules deleted"
                : applied.plan().summary();
    return "rolled back to state "
        + generation
        + " ("
        + what
        + "), recorded as state "
        + recordedAs
        + ": "
        + change;
  }
}
