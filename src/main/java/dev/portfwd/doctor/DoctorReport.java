package dev.portfwd.doctor;

import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All findings of one doctor run, grouped by forward: host-wide findings form their own group;
 * groups holding errors come first, and within a group errors come before warnings and info.
 */
public record DoctorReport(ForwardTable table, List<Finding> findings) {

  public DoctorReport {
    findings = List.copyOf(findings);
  }

  /** Findings of one forward (or of the host, when {@code forward} is empty). */
  public record Group(Optional<Forward> forward, List<Finding> findings) {
    FindingSeverity worst() {
      return findings.stream()
          .map(Finding::severity)
          .min(Comparator.naturalOrder())
          .orElse(FindingSeverity.INFO);
    }
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(Finding::isError);
  }

  public long count(FindingSeverity severity) {
    return findings.stream().filter(f -> f.severity() == severity).count();
  }

  /** The groups in report order. */
  public List<Group> groups() {
    Map<Integer, List<Finding>> byLine = new LinkedHashMap<>();
    Map<Integer, Optional<Forward>> forwards = new LinkedHashMap<>();
    for (Finding finding : findings) {
      int line = finding.forward().map(Forward::line).orElse(0);
      byLine.computeIfAbsent(line, l -> new ArrayList<>()).add(finding);
      forwards.putIfAbsent(line, finding.forward());
    }
    List<Group> groups = new ArrayList<>();
    for (Map.Entry<Integer, List<Finding>> entry : byLine.entrySet()) {
      List<Finding> sorted =
          entry.getValue().stream()
              .sorted(Comparator.comparing(Finding::severity)) // stable: keeps the checks' order
              .toList();
      groups.add(new Group(forwards.get(entry.getKey()), sorted));
    }
    groups.sort(
        Comparator.comparing(Group::worst)
            .thenComparing(g -> g.forward().map(Forward::line).orElse(0)));
    return groups;
  }
}
