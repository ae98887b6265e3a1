package dev.portfwd.ha;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks keepalived and conntrackd themselves whether they accept the written files: {@code
 * keepalived --config-test} parses a configuration and starts nothing; conntrackd has no such mode,
 * so {@code conntrackd -C FILE -s} (a client's statistics request) stands in for a dry start: it
 * parses the whole file first and stops at the first syntax error, and otherwise says whether a
 * daemon answers on the file's socket.
 */
public final class HaToolCheck {

  /** What one tool said of one file: accepted or not, and its words. */
  public record Verdict(String tool, boolean accepted, String summary, List<String> output) {}

  private final CommandRunner runner;

  public HaToolCheck(CommandRunner runner) {
    this.runner = runner;
  }

  /** keepalived's verdict on {@code file}. */
  public Verdict keepalived(Path file) {
    if (!runner.isInstalled("keepalived")) {
      return new Verdict(
          "keepalived", false, "not installed (apt-get install keepalived)", List.of());
    }
    try {
      CommandResult result =
          runner.run(List.of("keepalived", "--config-test", "--use-file", file.toString()));
      List<String> said = lines(result);
      // Run on another machine than the gateway, only the interfaces are missing: the syntax is
      // still accepted, and that is what this check is for.
      boolean onlyInterfacesMissing =
          !said.isEmpty()
              && said.stream()
                  .allMatch(
                      l -> l.contains("doesn't exist") || l.startsWith("Non-existent interface"));
      if (!result.succeeded() && onlyInterfacesMissing) {
        return new Verdict(
            "keepalived",
            true,
            "--config-test accepted "
                + file
                + " but not all its interfaces exist here (fine when this is not the gateway)",
            said);
      }
      return result.succeeded()
          ? new Verdict("keepalived", true, "--config-test accepted " + file, said)
          : new Verdict(
              "keepalived",
              false,
              "--config-test refused " + file + " (exit " + result.exitCode() + ")",
              said);
    } catch (IOException e) {
      return new Verdict("keepalived", false, "could not run: " + e.getMessage(), List.of());
    }
  }

  /** conntrackd's verdict on {@code file}. */
  public Verdict conntrackd(Path file) {
    if (!runner.isInstalled("conntrackd")) {
      return new Verdict(
          "conntrackd", false, "not installed (apt-get install conntrackd)", List.of());
    }
    try {
      CommandResult result = runner.run(List.of("conntrackd", "-C", file.toString(), "-s"));
      List<String> said = lines(result);
      String all = String.join("\n", said);
      if (all.contains("parsing config file")) {
        return new Verdict("conntrackd", false, "refused " + file, said);
      }
      if (result.succeeded()) {
        return new Verdict(
            "conntrackd", true, "read " + file + "; a daemon answers on its socket", List.of());
      }
      return new Verdict(
          "conntrackd", true, "read " + file + " without error; no daemon runs with it yet", said);
    } catch (IOException e) {
      return new Verdict("conntrackd", false, "could not run: " + e.getMessage(), List.of());
    }
  }

  private static List<String> lines(CommandResult result) {
    List<String> lines = new ArrayList<>();
    for (String text : List.of(result.stdout(), result.stderr())) {
      text.lines().map(String::strip).filter(l -> !l.isEmpty()).limit(20).forEach(lines::add);
    }
    return lines;
  }
}
