package dev.portfwd.doctor;

import dev.portfwd.model.ForwardTable;
import java.util.List;

/** portfwd's rules missing from the kernel, or different from the table (edited, not applied). */
final class InstalledRulesCheck implements Check {

  static final String ID = "installed-rules";

  @Override
  public List<Finding> check(ForwardTable table, HostFacts facts) {
    InstalledState installed = facts.installed();
    String apply = "portfwd apply " + Texts.shellWord(table.source());
    if (table.isEmpty()
        || !installed.readable()
        || table.source().equals(BackendInstalledRules.INSTALLED)) {
      return List.of();
    }
    if (!installed.installed()) {
      return List.of(
          Finding.host(
              FindingSeverity.ERROR,
              ID,
              "portfwd's rules are not installed (" + installed.how() + " finds none)",
              "without them no packet is forwarded: the table only describes what should happen",
              apply,
              "run 'portfwd plan "
                  + Texts.shellWord(table.source())
                  + "' first to see what it installs"));
    }
    List<String> differences = installed.differences().orElse(List.of());
    if (differences.isEmpty()) {
      return List.of();
    }
    return List.of(
        Finding.host(
            FindingSeverity.ERROR,
            ID,
            "the installed rules differ from "
                + table.source()
                + " ("
                + differences.size()
                + " change"
                + (differences.size() == 1 ? "" : "s")
                + " pending: "
                + String.join("; ", differences)
                + ")",
            "the kernel forwards what was applied last, not what the table says now: the table was"
                + " edited and not applied, or something else changed portfwd's rules",
            // --reread: when something else edited the rules, apply's record of its last change is
            // stale.
            "portfwd apply --reread " + Texts.shellWord(table.source()),
            ""));
  }
}
