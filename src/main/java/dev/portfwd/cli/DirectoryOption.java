package dev.portfwd.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The options that name a directory ({@code --state-dir}, {@code ha config --config-dir}, ...):
 * picocli reads an empty value as the empty path, which every file operation takes for the working
 * directory, so {@code --state-dir ""} would quietly put the history and the lock there.
 */
final class DirectoryOption {

  private DirectoryOption() {}

  /**
   * {@code dir} as given.
   *
   * @throws ParameterException (a usage error: exit 2) when {@code dir} is empty or blank, the way
   *     {@code $PORTFWD_STATE_DIR} set to nothing is taken as unset rather than as the working
   *     directory
   */
  static Path nonEmpty(CommandSpec command, String option, Path dir) {
    if (dir != null && dir.toString().isBlank()) {
      throw new ParameterException(command.commandLine(), option + " needs a directory");
    }
    return dir;
  }
}
