package dev.portfwd.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;

/**
 * Writes a {@link DoctorReport} for people (grouped, colour only when asked) or as JSON for
 * scripts. The text escapes everything it did not write itself ({@link Texts#printable}): a
 * description, a file name or another tool's rule must not act on the terminal. The JSON shape is
 * stable: {@code ok}, {@code errors}, {@code warnings} and a flat {@code findings} array, each
 * finding with its forward ({@code null} for the host); a forward's {@code backend} is the address
 * new connections go to, or the column as written while a name in it is unresolved.
 */
public final class ReportPrinter {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String RESET = "\u001b[0m";

  private ReportPrinter() {}

  /** The report as text; {@code colour} adds ANSI colours for a terminal. */
  public static String text(DoctorReport report, boolean colour) {
    StringBuilder out = new StringBuilder();
    long errors = report.count(FindingSeverity.ERROR);
    long warnings = report.count(FindingSeverity.WARNING);
    int forwards = report.table().forwards().size();
    out.append("portfwd doctor: ")
        .append(
            errors == 0 && warnings == 0
                ? "nothing wrong found"
                : plural(errors, "error") + ", " + plural(warnings, "warning"))
        .append(" (")
        .append(Texts.printable(report.table().source()))
        .append(", ")
        .append(plural(forwards, "forward"))
        .append(")\n");
    for (DoctorReport.Group group : report.groups()) {
      out.append('\n').append(bold(heading(report, group), colour)).append('\n');
      for (Finding finding : group.findings()) {
        // The longest label ("warning") and a space: the text starts in one column.
        String label = String.format("%-8s", finding.severity().label());
        out.append("  ")
            .append(paint(label, finding.severity(), colour))
            .append(Texts.printable(finding.what()))
            .append('\n');
        detail(out, "why", finding.why());
        detail(out, "fix", finding.fix());
        detail(out, "note", finding.note());
      }
    }
    return out.toString();
  }

  private static String heading(DoctorReport report, DoctorReport.Group group) {
    if (group.forward().isEmpty()) {
      return "host";
    }
    Forward forward = group.forward().get();
    String where =
        report.table().source().equals(BackendInstalledRules.INSTALLED)
            ? "installed forward " + forward.line()
            : "line " + forward.line();
    return where
        + ": "
        + Texts.printable(Texts.forward(forward))
        + (forward.description().isEmpty() ? "" : "  " + Texts.printable(forward.description()));
  }

  private static void detail(StringBuilder out, String label, String text) {
    if (!text.isEmpty()) {
      out.append("          ")
          .append(label)
          .append(": ")
          .append(Texts.printable(text))
          .append('\n');
    }
  }

  private static String paint(String text, FindingSeverity severity, boolean colour) {
    if (!colour) {
      return text;
    }
    String code =
        switch (severity) {
          case ERROR -> "\u001b[1;31m";
          case WARNING -> "\u001b[33m";
          case INFO -> "\u001b[2m";
        };
    return code + text + RESET;
  }

  private static String bold(String text, boolean colour) {
    return colour ? "\u001b[1m" + text + RESET : text;
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** The report as JSON for scripts. */
  public static ObjectNode json(DoctorReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("table", report.table().source());
    root.put("ok", !report.hasErrors());
    root.put("errors", report.count(FindingSeverity.ERROR));
    root.put("warnings", report.count(FindingSeverity.WARNING));
    ArrayNode findings = root.putArray("findings");
    for (DoctorReport.Group group : report.groups()) {
      for (Finding finding : group.findings()) {
        ObjectNode node = findings.addObject();
        node.put("severity", finding.severity().label());
        node.put("check", finding.check());
        if (finding.forward().isPresent()) {
          Forward forward = finding.forward().get();
          ObjectNode f = node.putObject("forward");
          f.put("line", forward.line());
          f.put("external", forward.externalText());
          f.put("protocols", forward.protocolText());
          // A name that did not resolve leaves its pool without members: the column as written.
          f.put(
              "backend",
              forward.pool().isResolved()
                  ? Addresses.format(forward.backend())
                  : forward.pool().writtenText());
          f.put("backendPorts", forward.backendPorts().toString());
          f.put("description", forward.description());
        } else {
          node.putNull("forward");
        }
        node.put("what", finding.what());
        node.put("why", finding.why());
        node.put("fix", finding.fix());
        node.put("note", finding.note());
      }
    }
    return root;
  }
}
