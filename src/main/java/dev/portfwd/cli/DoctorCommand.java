package dev.portfwd.cli;

import dev.portfwd.backend.BackendException;
import dev.portfwd.doctor.BackendInstalledRules;
import dev.portfwd.doctor.Doctor;
import dev.portfwd.doctor.DoctorReport;
import dev.portfwd.doctor.Finding;
import dev.portfwd.doctor.HaPairCheck;
import dev.portfwd.doctor.InstalledRules;
import dev.portfwd.doctor.ReportPrinter;
import dev.portfwd.ha.HaDescription;
import dev.portfwd.ha.HaGateway;
import dev.portfwd.ha.HaPaths;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.TableNames;
import dev.portfwd.pool.TcpHealthProbe;
import dev.portfwd.table.TableReader;
import dev.portfwd.table.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd doctor}: explains why forwards do not work, and how to fix it. Changes nothing.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Inspect the gateway, what portfwd installed and the table, and report every reason a forward"
          + " would not work now: what is wrong, why it breaks forwarding, and the command that fixes it.",
      "Nothing on the host is changed. Exit 0 when no error was found (warnings alone: 0), 1 otherwise."
    })
final class DoctorCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin ServiceOptions service;

  @ParentCommand Portfwd root;

  @Option(
      names = "--ha",
      paramLabel = "HA-FILE",
      description =
          "Also check this gateway of the HA pair the file describes: VRRP state, virtual"
              + " addresses, conntrackd and its peer, snat= of the forwards (needs --gateway).")
  Path ha;

  @Option(names = "--gateway", paramLabel = "NAME", description = "This gateway's name in HA-FILE.")
  String gateway;

  Path haConfigDir;

  @Option(
      names = "--ha-config-dir",
      paramLabel = "DIR",
      defaultValue = "/etc/portfwd/ha",
      description = "Where 'portfwd ha config' wrote the files (default: ${DEFAULT-VALUE}).")
  void haConfigDir(Path dir) {
    haConfigDir = DirectoryOption.nonEmpty(spec, "--ha-config-dir", dir);
  }

  Path haRunDir;

  @Option(
      names = "--ha-run-dir",
      paramLabel = "DIR",
      defaultValue = "/run/portfwd-ha",
      description = "conntrackd's socket and the recorded VRRP state (default: ${DEFAULT-VALUE}).")
  void haRunDir(Path dir) {
    haRunDir = DirectoryOption.nonEmpty(spec, "--ha-run-dir", dir);
  }

  @Option(names = "--json", description = "Print the findings as JSON for scripts.")
  boolean json;

  @Option(
      names = "--probe",
      negatable = true,
      description =
          "Open a TCP connection from the gateway to each TCP backend (default: on when a"
              + " TABLE is given; --no-probe skips it).")
  Boolean probe;

  @Option(
      names = "--timeout",
      defaultValue = "2",
      paramLabel = "SECONDS",
      description = "How long a probe waits for a backend to answer (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TABLE",
      description =
          "The forwarding table the host should serve; '-' reads standard input (default: "
              + TableReader.DEFAULT_TABLE
              + " when it exists, else the forwards portfwd installed).")
  String table;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (timeoutSeconds < 1 || timeoutSeconds > 30) {
      throw PortfwdException.invalidInput(
          "--timeout must be between 1 and 30 seconds, not " + timeoutSeconds);
    }
    ProcessCommandRunner runner = new ProcessCommandRunner();
    InstalledRules installed;
    try {
      installed = new BackendInstalledRules(BackendChoice.auto.create(runner));
    } catch (BackendException e) {
      throw PortfwdException.failure(e.getMessage(), e);
    }
    ForwardTable written = forwards(installed, err);
    boolean probing = probe != null ? probe : table != null;
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    DoctorReport report;
    try {
      report =
          examine(
              new Doctor(runner, installed, timeout),
              written,
              BackendNames.resolve(written),
              probing,
              timeout);
    } catch (IOException e) {
      throw PortfwdException.failure("cannot inspect the host: " + e.getMessage(), e);
    }
    if (ha != null) {
      report = withHaFindings(report, runner, err);
    }
    if (json) {
      out.println(ReportPrinter.json(report).toPrettyString());
    } else {
      out.print(ReportPrinter.text(report, root.invocation().colour()));
    }
    out.flush();
    if (report.hasErrors()) {
      throw PortfwdException.failure("");
    }
  }

  /**
   * What doctor finds for {@code written}, whose names {@code names} resolved: the checks of the
   * host on its forwards as resolved, each name that does not resolve and, when {@code probing},
   * each backend of several or of a name that does not answer. The dashboard's doctor asks here
   * too.
   *
   * @throws IOException when the host cannot be inspected
   */
  static DoctorReport examine(
      Doctor doctor,
      ForwardTable written,
      TableNames.Resolved names,
      boolean probing,
      Duration timeout)
      throws IOException {
    ForwardTable forwards = names.table(written);
    DoctorReport report = doctor.examine(forwards, probing);
    List<Finding> findings = new ArrayList<>(report.findings());
    findings.addAll(BackendFindings.names(names));
    if (probing) {
      findings.addAll(BackendFindings.health(forwards, new TcpHealthProbe(), timeout));
    }
    return new DoctorReport(report.table(), findings);
  }

  private DoctorReport withHaFindings(
      DoctorReport report, ProcessCommandRunner runner, PrintWriter err) {
    if (gateway == null) {
      throw PortfwdException.invalidInput("--ha needs --gateway NAME (this gateway in the file)");
    }
    HaDescription pair = HaConfigCommand.readDescription(ha, err);
    HaGateway self =
        pair.gateway(gateway)
            .orElseThrow(
                () ->
                    PortfwdException.invalidInput(
                        "no gateway '" + TerminalText.escape(gateway) + "' in " + ha));
    List<Finding> findings = new ArrayList<>(report.findings());
    try {
      findings.addAll(
          new HaPairCheck(runner, Duration.ofMillis(1500))
              .examine(
                  pair,
                  self,
                  new HaPaths(haConfigDir.toAbsolutePath(), haRunDir.toAbsolutePath()),
                  Optional.of(report.table())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw PortfwdException.failure("doctor interrupted");
    }
    return new DoctorReport(report.table(), findings);
  }

  /** The table given, else the default table when it exists, else what portfwd installed. */
  private ForwardTable forwards(InstalledRules installed, PrintWriter err) {
    if (table != null) {
      return TableLoader.load(root.invocation().table(table), root.stdin(), err);
    }
    if (Files.isRegularFile(Path.of(TableReader.DEFAULT_TABLE))) {
      return TableLoader.load(TableReader.DEFAULT_TABLE, root.stdin(), err);
    }
    return installed.installedForwards();
  }
}
