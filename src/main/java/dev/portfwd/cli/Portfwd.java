package dev.portfwd.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code portfwd} command: a thin root that only holds the subcommands. Every subcommand
 * prints through its {@link CommandSpec}'s writers so tests can capture the output, and stops
 * with a {@link PortfwdException} whose exit code {@link #newCommandLine} maps in one place.
 */
@Command(
    name = "portfwd",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Port forwarding on a Linux gateway from a plain-text forwarding table.",
    subcommands = {
      CheckCommand.class,
      PlanCommand.class,
      ApplyCommand.class,
      StatusCommand.class,
      RemoveCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Success.",
      "1:Operational failure (not root, a tool missing or failing, an unreadable file).",
      "2:Invalid input or usage (a table with errors, an unknown option)."
    })
public final class Portfwd implements Runnable {

  @Spec CommandSpec spec;

  private final InputStream stdin;

  private Portfwd(InputStream stdin) {
    this.stdin = stdin;
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** A command line reading the process's standard input, with portfwd's exit-code mapping. */
  public static CommandLine newCommandLine() {
    return newCommandLine(System.in);
  }

  /**
   * A command line whose commands read {@code stdin} for a table named {@code -}; tests pass their
   * own stream and capture output with {@code setOut}/{@code setErr}.
   */
  public static CommandLine newCommandLine(InputStream stdin) {
    CommandLine commandLine = new CommandLine(new Portfwd(stdin));
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          PrintWriter err = cmd.getErr();
          if (exception instanceof PortfwdException portfwd) {
            if (portfwd.getMessage() != null && !portfwd.getMessage().isEmpty()) {
              err.println("portfwd: " + portfwd.getMessage());
            }
            err.flush();
            return portfwd.exitCode();
          }
          err.println("portfwd: internal error: " + exception);
          exception.printStackTrace(err);
          err.flush();
          return ExitCode.FAILURE;
        });
    return commandLine;
  }

  /** What a table named {@code -} is read from. */
  InputStream stdin() {
    return stdin;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command; see 'portfwd --help'");
  }
}
