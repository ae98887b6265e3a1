package dev.portfwd.host;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/**
 * A program portfwd wanted to run could not run. {@link Kind} is decided here, once, so callers
 * branch on it and never on message text; the message is one line fit for the user as it is.
 */
public final class CommandException extends IOException {

  /** What went wrong, as far as callers need to know. */
  public enum Kind {
    /** Not in any of {@link SystemPrograms#DIRS}. */
    NOT_INSTALLED,
    /** Still running at its time limit: it was killed with everything it started. */
    TIMED_OUT
  }

  /** How much of a command line a message quotes. */
  private static final int QUOTED = 100;

  private final Kind kind;
  private final String program;

  private CommandException(Kind kind, String program, String message) {
    super(message);
    this.kind = kind;
    this.program = program;
  }

  /**
   * {@code program} is not installed: {@code conntrack is not installed (looked in /usr/sbin,
   * /usr/bin, /sbin and /bin); install it: apt-get install conntrack}.
   */
  public static CommandException notInstalled(String program) {
    if (program.contains("/")) {
      return new CommandException(
          Kind.NOT_INSTALLED, program, program + " is not an executable file at an absolute path");
    }
    String dirs = String.join(", ", SystemPrograms.DIRS);
    int last = dirs.lastIndexOf(", ");
    dirs = dirs.substring(0, last) + " and " + dirs.substring(last + 2);
    String install =
        SystemPrograms.debianPackage(program)
            .map(p -> "install it: apt-get install " + p)
            .orElse("install the package that provides it");
    return new CommandException(
        Kind.NOT_INSTALLED,
        program,
        program + " is not installed (looked in " + dirs + "); " + install);
  }

  /**
   * {@code argv} was still running after {@code limit} and was killed: {@code nft -f - did not
   * finish within 30 s and was stopped}.
   */
  public static CommandException timedOut(List<String> argv, Duration limit) {
    String command = String.join(" ", argv);
    if (command.length() > QUOTED) {
      command = command.substring(0, QUOTED) + "…";
    }
    return new CommandException(
        Kind.TIMED_OUT,
        argv.get(0),
        command + " did not finish within " + seconds(limit) + " and was stopped");
  }

  /** {@code 30 s}, {@code 0.5 s}. */
  private static String seconds(Duration limit) {
    long millis = limit.toMillis();
    return millis % 1000 == 0
        ? millis / 1000 + " s"
        : BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " s";
  }

  public Kind kind() {
    return kind;
  }

  /** The program as the caller named it ({@code nft}, {@code iptables-legacy-restore}). */
  public String program() {
    return program;
  }
}
