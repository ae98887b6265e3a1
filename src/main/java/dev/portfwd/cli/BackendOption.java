package dev.portfwd.cli;

import picocli.CommandLine.Option;

/** {@code --backend}, worded the same for every command that reads or changes kernel rules. */
final class BackendOption {

  @Option(
      names = "--backend",
      defaultValue = "auto",
      paramLabel = "<backend>",
      description = "Kernel backend: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  BackendChoice choice;
}
