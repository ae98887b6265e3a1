package dev.portfwd.doctor;

import dev.portfwd.host.CommandRunner;
import dev.portfwd.model.ForwardTable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The doctor stage: gathers the host's facts once ({@link HostInspector}), lets every {@link Check}
 * reason about them and the table, optionally probes the backends ({@link Prober}), and returns a
 * {@link DoctorReport}. Facts and reasoning are apart so each check is a pure function tested with
 * made-up facts, and the gathering is tested in network namespaces. Nothing here changes the host.
 */
public final class Doctor {

  /** Every check, in the order their findings are listed within a forward. */
  static final List<Check> CHECKS =
      List.of(
          new InstalledRulesCheck(),
          new ForwardingSysctlCheck(),
          new BackendRouteCheck(),
          new ForwardDropCheck(),
          new ForeignNatCheck(),
          new ShadowedServiceCheck(),
          new RpFilterCheck(),
          new StaleUdpCheck(),
          new MasqueradeOffCheck());

  private final CommandRunner runner;
  private final InstalledRules installedRules;
  private final Duration probeTimeout;

  public Doctor(CommandRunner runner, InstalledRules installedRules, Duration probeTimeout) {
    this.runner = runner;
    this.installedRules = installedRules;
    this.probeTimeout = probeTimeout;
  }

  /**
   * Examines the host for {@code table}.
   *
   * @param probe whether to open a TCP connection to each TCP backend
   * @throws IOException when a program doctor needs cannot be run at all
   */
  public DoctorReport examine(ForwardTable table, boolean probe) throws IOException {
    HostFacts facts = new HostInspector(runner, installedRules).inspect(table);
    List<Finding> findings = new ArrayList<>(diagnose(table, facts));
    if (probe) {
      findings.addAll(
          ProbeCheck.findings(new Prober(runner, probeTimeout).probe(table), table.source()));
    }
    return new DoctorReport(table, findings);
  }

  /** The findings of every check; also what could not be inspected, as information. */
  static List<Finding> diagnose(ForwardTable table, HostFacts facts) {
    List<Finding> findings = new ArrayList<>();
    for (Check check : CHECKS) {
      findings.addAll(check.check(table, facts));
    }
    for (String gap : facts.gaps()) {
      findings.add(Finding.host(FindingSeverity.INFO, "not-inspected", gap, "", "", ""));
    }
    return findings;
  }
}
