package dev.portfwd.cli;

import dev.portfwd.state.StateDir;
import dev.portfwd.state.StateStore;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --state-dir} option of every command that reads or records what portfwd applied
 * ({@code apply}, {@code status}, {@code remove}, {@code confirm}, {@code rollback}, {@code
 * watch}), with the helpers they share.
 */
final class StateOptions {

  /** The command this mixin is part of, for the usage error of an empty {@code --state-dir}. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** {@code --state-dir}; {@code null} when not given. */
  Path stateDir;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Where portfwd records what it applied (for rollback and status) and keeps the"
              + " dashboard's password and tokens (default: $"
              + StateDir.ENV
              + " or "
              + StateDir.DEFAULT
              + ").")
  void stateDir(Path dir) {
    stateDir = DirectoryOption.nonEmpty(command, "--state-dir", dir);
  }

  StateStore store() {
    return new StateStore(StateDir.resolve(Optional.ofNullable(stateDir)));
  }

  /** How a table location is recorded: an absolute file name, or {@code standard input}. */
  static String source(String table) {
    return table.equals("-")
        ? "standard input"
        : Path.of(table).toAbsolutePath().normalize().toString();
  }
}
