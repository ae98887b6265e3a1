package dev.portfwd.cli;

import dev.portfwd.service.ControlClient;
import dev.portfwd.table.TerminalText;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code portfwd} command: a thin root that only holds the subcommands. Every subcommand prints
 * through its {@link CommandSpec}'s writers so tests can capture the output, and stops with a
 * {@link PortfwdException} whose exit code {@link #newCommandLine} maps in one place.
 */
@Command(
    name = "portfwd",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Port forwarding on a Linux gateway from a plain-text forwarding table.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Success.",
      "1:Operational failure (not root, a tool missing or failing, an unreadable file).",
      "2:Invalid input or usage (a table with errors, an unknown option)."
    })
public final class Portfwd implements Runnable {

  /** A subcommand and the name its {@code @Command} gives it (PortfwdTest checks they agree). */
  record Subcommand(String name, Class<?> type) {}

  /**
   * The subcommands, in the order help lists them. Registered here rather than in
   * {@code @Command(subcommands = ...)} so {@link #main} can build only the one it runs: picocli
   * reflects over every registered command class, a cost a short run pays in full
   * (bench/RESULTS.md, "cold-start tricks").
   */
  static final List<Subcommand> SUBCOMMANDS =
      List.of(
          new Subcommand("check", CheckCommand.class),
          new Subcommand("plan", PlanCommand.class),
          new Subcommand("apply", ApplyCommand.class),
          new Subcommand("status", StatusCommand.class),
          new Subcommand("remove", RemoveCommand.class),
          new Subcommand("demo", DemoCommand.class),
          new Subcommand("doctor", DoctorCommand.class),
          new Subcommand("relay", RelayCommand.class),
          new Subcommand("confirm", ConfirmCommand.class),
          new Subcommand("rollback", RollbackCommand.class),
          new Subcommand("watch", WatchCommand.class),
          new Subcommand("ha", HaCommand.class),
          new Subcommand("passwd", PasswdCommand.class),
          new Subcommand("token", TokenCommand.class),
          new Subcommand(RollbackTimerCommand.NAME, RollbackTimerCommand.class),
          new Subcommand("help", CommandLine.HelpCommand.class));

  @Spec CommandSpec spec;

  private final Invocation invocation;

  private Portfwd(Invocation invocation) {
    this.invocation = invocation;
  }

  public static void main(String[] args) {
    // A running service does the work for the commands it serves; asking it costs no picocli.
    OptionalInt served =
        ControlClient.run(args, System.getenv(), System.in, System.out, System.err);
    if (served.isPresent()) {
      System.exit(served.getAsInt());
    }
    // 'help' lists the other commands, so it needs them all; so do options and unknown words.
    String first = args.length > 0 ? args[0] : "";
    if (!first.equals("help")) {
      for (Subcommand subcommand : SUBCOMMANDS) {
        if (subcommand.name().equals(first)) {
          System.exit(
              newCommandLine(Invocation.direct(System.in), List.of(subcommand)).execute(args));
        }
      }
    }
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
    return newCommandLine(Invocation.direct(stdin), SUBCOMMANDS);
  }

  /**
   * A command line whose commands run as {@code invocation} says (in the service, for a client).
   */
  static CommandLine newCommandLine(Invocation invocation) {
    return newCommandLine(invocation, SUBCOMMANDS);
  }

  private static CommandLine newCommandLine(Invocation invocation, List<Subcommand> subcommands) {
    CommandLine commandLine = new CommandLine(new Portfwd(invocation));
    for (Subcommand subcommand : subcommands) {
      commandLine.addSubcommand(subcommand.type());
    }
    // picocli's own handler, with the message escaped: it quotes the argument it could not take.
    commandLine.setParameterExceptionHandler(
        (exception, args) -> {
          CommandLine cmd = exception.getCommandLine();
          PrintWriter err = cmd.getErr();
          err.println(TerminalText.escape(exception.getMessage()));
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(exception, err)) {
            cmd.usage(err, cmd.getColorScheme());
          }
          err.flush();
          return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          PrintWriter err = cmd.getErr();
          if (exception instanceof PortfwdException portfwd) {
            if (portfwd.getMessage() != null && !portfwd.getMessage().isEmpty()) {
              // Messages quote paths and names as given: escaped, each of their lines kept.
              String[] lines = portfwd.getMessage().split("\n", -1);
              err.println("portfwd: " + TerminalText.escape(lines[0]));
              for (int i = 1; i < lines.length; i++) {
                err.println(TerminalText.escape(lines[i]));
              }
            }
            err.flush();
            return portfwd.exitCode();
          }
          // The message may quote an argument or a file's text: escaped like everything else.
          StringWriter trace = new StringWriter();
          exception.printStackTrace(new PrintWriter(trace));
          err.println("portfwd: internal error: " + TerminalText.escape(exception.toString()));
          trace.toString().lines().skip(1).forEach(line -> err.println(TerminalText.escape(line)));
          err.flush();
          return ExitCode.FAILURE;
        });
    return commandLine;
  }

  /** What a table named {@code -} is read from. */
  InputStream stdin() {
    return invocation.stdin();
  }

  /** Where this command line's commands run. */
  Invocation invocation() {
    return invocation;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command; see 'portfwd --help'");
  }
}
