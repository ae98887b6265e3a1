package dev.portfwd.cli;

import dev.portfwd.ha.HaConfig;
import dev.portfwd.ha.HaDescription;
import dev.portfwd.ha.HaDescriptionParser;
import dev.portfwd.ha.HaFileWriter;
import dev.portfwd.ha.HaFiles;
import dev.portfwd.ha.HaPaths;
import dev.portfwd.ha.HaTableCheck;
import dev.portfwd.ha.HaToolCheck;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.table.Diagnostic;
import dev.portfwd.table.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code portfwd ha config}: an HA description and the table to keepalived's and conntrackd's files
 * for one gateway, written or printed, then checked by the tools themselves.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = {
      "Write keepalived.conf, conntrackd.conf and the notify hook for one gateway of an HA pair.",
      "Reads the pair's description (both gateways use the same file) and checks that the table's"
          + " forwards translate to the virtual VPN-side address (snat=), so connections survive a"
          + " failover. Then asks 'keepalived --config-test' and conntrackd what they think of the"
          + " files (on a copy: nothing is written that they refuse)."
    })
final class HaConfigCommand implements Runnable {

  private static final int MAX_DESCRIPTION_BYTES = 64 * 1024;

  @Spec CommandSpec spec;

  @ParentCommand HaCommand parent;

  @Option(
      names = "--gateway",
      required = true,
      paramLabel = "NAME",
      description = "The gateway of the description to write the files for (this machine).")
  String gateway;

  @Option(
      names = "--dry-run",
      description =
          "Print the files instead of writing them (the tools still check them unless"
              + " --no-validate).")
  boolean dryRun;

  Path configDir;

  @Option(
      names = "--config-dir",
      paramLabel = "DIR",
      description = "Where the files go (default: ${DEFAULT-VALUE}).",
      defaultValue = "/etc/portfwd/ha")
  void configDir(Path dir) {
    configDir = DirectoryOption.nonEmpty(spec, "--config-dir", dir);
  }

  Path runDir;

  @Option(
      names = "--run-dir",
      paramLabel = "DIR",
      description =
          "conntrackd's socket, lock and log and the recorded VRRP state (default: ${DEFAULT-VALUE}).",
      defaultValue = "/run/portfwd-ha")
  void runDir(Path dir) {
    runDir = DirectoryOption.nonEmpty(spec, "--run-dir", dir);
  }

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description =
          "The forwarding table whose forwards must use snat= (default: /etc/portfwd/ports.txt"
              + " when it exists).")
  String table;

  @Option(
      names = "--no-validate",
      description = "Do not run keepalived and conntrackd on the files.")
  boolean noValidate;

  @Parameters(index = "0", paramLabel = "HA-FILE", description = "The pair's description.")
  Path description;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HaDescription pair = readDescription(description, err);
    HaPaths paths = new HaPaths(configDir.toAbsolutePath(), runDir.toAbsolutePath());
    HaFiles files;
    try {
      files = HaConfig.generate(pair, gateway, paths);
    } catch (IllegalArgumentException e) {
      throw PortfwdException.invalidInput(e.getMessage());
    }
    checkTable(pair, err);
    if (dryRun) {
      for (Path path :
          List.of(paths.keepalivedConf(), paths.conntrackdConf(), paths.notifyScript())) {
        out.println("==> " + TerminalText.escape(path.toString()) + " <==");
        out.print(
            path.equals(paths.keepalivedConf())
                ? files.keepalived()
                : path.equals(paths.conntrackdConf()) ? files.conntrackd() : files.notifyScript());
        out.println();
      }
      out.flush();
    }
    try {
      // The tools judge a copy first: nothing is written that they refuse.
      if (!noValidate) {
        Path checkDir = Files.createTempDirectory("portfwd-ha-");
        try {
          write(new HaPaths(checkDir, paths.runDir()), files);
          validate(new HaPaths(checkDir, paths.runDir()), out);
        } finally {
          deleteQuietly(checkDir);
        }
      }
      if (!dryRun) {
        write(paths, files);
        out.println(
            "wrote "
                + TerminalText.escape(paths.keepalivedConf().toString())
                + ", "
                + TerminalText.escape(paths.conntrackdConf().toString())
                + " and "
                + TerminalText.escape(paths.notifyScript().toString()));
        out.flush();
      }
    } catch (IOException e) {
      throw PortfwdException.failure("cannot write the HA files: " + e.getMessage(), e);
    }
  }

  /** Reads and validates an HA description, printing its diagnostics; exit 2 on errors. */
  static HaDescription readDescription(Path description, PrintWriter err) {
    String text;
    try {
      if (!Files.isRegularFile(description)) {
        throw PortfwdException.invalidInput(
            TerminalText.escape(description.toString()) + ": expected a regular file");
      }
      if (Files.size(description) > MAX_DESCRIPTION_BYTES) {
        throw PortfwdException.invalidInput(
            TerminalText.escape(description.toString())
                + ": larger than "
                + MAX_DESCRIPTION_BYTES
                + " bytes; expected a short HA description");
      }
      text = Files.readString(description, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw PortfwdException.invalidInput(
          TerminalText.escape(description.toString())
              + ": not UTF-8 text; expected an HA description");
    } catch (IOException e) {
      throw PortfwdException.failure(
          "cannot read "
              + TerminalText.escape(description.toString())
              + ": "
              + TerminalText.escape(String.valueOf(e.getMessage())));
    }
    HaDescriptionParser.Result result = HaDescriptionParser.parse(description.toString(), text);
    for (Diagnostic d : result.diagnostics()) {
      err.println(d.render());
    }
    err.flush();
    if (result.hasErrors()) {
      long errors = result.diagnostics().stream().filter(Diagnostic::isError).count();
      throw PortfwdException.invalidInput(
          TerminalText.escape(description.toString())
              + ": "
              + TableLoader.count((int) errors, "error")
              + "; nothing written");
    }
    return result.description().orElseThrow();
  }

  private void checkTable(HaDescription pair, PrintWriter err) {
    String location = table;
    if (location == null) {
      if (!Files.isRegularFile(Path.of(dev.portfwd.table.TableReader.DEFAULT_TABLE))) {
        return;
      }
      location = dev.portfwd.table.TableReader.DEFAULT_TABLE;
    }
    ForwardTable forwards = TableLoader.load(location, parentStdin(), err);
    List<String> problems = HaTableCheck.problems(forwards, pair);
    for (String problem : problems) {
      err.println(TerminalText.escape(problem.replaceFirst(": ", ": error: ")));
    }
    err.flush();
    if (!problems.isEmpty()) {
      throw PortfwdException.invalidInput(
          TableLoader.count(problems.size(), "forward")
              + " would lose connections on failover; nothing written");
    }
  }

  private java.io.InputStream parentStdin() {
    return java.io.InputStream.nullInputStream();
  }

  private void validate(HaPaths at, PrintWriter out) {
    HaToolCheck check = new HaToolCheck(new ProcessCommandRunner());
    boolean ok = true;
    for (HaToolCheck.Verdict v :
        List.of(check.keepalived(at.keepalivedConf()), check.conntrackd(at.conntrackdConf()))) {
      out.println(
          v.tool() + ": " + (v.accepted() ? "" : "PROBLEM: ") + TerminalText.escape(v.summary()));
      for (String line : v.output()) {
        out.println("  " + v.tool() + " said: " + TerminalText.escape(line));
      }
      ok &= v.accepted();
    }
    out.flush();
    if (!ok) {
      throw PortfwdException.failure(
          "keepalived or conntrackd did not accept the files; nothing written");
    }
  }

  private static void write(HaPaths paths, HaFiles files) throws IOException {
    HaFileWriter.write(paths, files);
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a temporary folder; the system cleans it
    }
  }
}
