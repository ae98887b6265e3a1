package dev.portfwd.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.state.StateReport;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The part of {@code status} that says which table is live, from the state directory. Never fails
 * {@code status}: a state directory that cannot be read is reported in the line instead.
 */
final class LiveTableLine {

  private final Optional<StateReport> report;
  private final String problem;

  private LiveTableLine(Optional<StateReport> report, String problem) {
    this.report = report;
    this.problem = problem;
  }

  /**
   * @param installed the forwards in the kernel, as the read that gave {@code status}'s counters
   *     found them
   */
  static LiveTableLine of(
      StateStore store, KernelSession session, List<CompiledForward> installed) {
    try {
      return new LiveTableLine(
          Optional.of(StateReport.of(store, session.backend, installed)), null);
    } catch (IOException e) {
      return new LiveTableLine(Optional.empty(), "live table: unknown (" + e.getMessage() + ")");
    }
  }

  String text() {
    return report.map(StateReport::line).orElse(problem) + "\n";
  }

  ObjectNode addTo(ObjectNode root) {
    ObjectNode node = root.putObject("liveTable");
    node.put("table", report.flatMap(StateReport::table).orElse(null));
    node.put("live", report.map(StateReport::live).orElse(false));
    node.put(
        "appliedAt", report.flatMap(StateReport::appliedAt).map(Object::toString).orElse(null));
    node.put(
        "confirmationDeadline",
        report.flatMap(StateReport::pendingUntil).map(Object::toString).orElse(null));
    node.put("text", text().strip());
    return root;
  }
}
