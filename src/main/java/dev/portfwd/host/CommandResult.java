package dev.portfwd.host;

import java.util.List;

/** What a finished program left behind: its argv, exit code and both outputs. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {

  public CommandResult {
    argv = List.copyOf(argv);
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** {@code nft -f -: exit 1: <first line of stderr>}, for error messages. */
  public String describeFailure() {
    String firstLine = stderr.strip().lines().findFirst().orElse("(no message)");
    return String.join(" ", argv) + ": exit " + exitCode + ": " + firstLine;
  }
}
