package dev.portfwd.cli;

/**
 * The one exception a command throws to stop with a message for the user and a fixed exit code. The
 * message is printed as {@code portfwd: MESSAGE} on standard error, with no stack trace.
 */
public final class PortfwdException extends RuntimeException {
  private final int exitCode;

  private PortfwdException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The host or a tool failed (exit 1). */
  public static PortfwdException failure(String message) {
    return new PortfwdException(ExitCode.FAILURE, message, null);
  }

  /** The host or a tool failed (exit 1), keeping the cause for debugging. */
  public static PortfwdException failure(String message, Throwable cause) {
    return new PortfwdException(ExitCode.FAILURE, message, cause);
  }

  /** The user's input is wrong (exit 2); the diagnostics were printed already. */
  public static PortfwdException invalidInput(String message) {
    return new PortfwdException(ExitCode.INVALID_INPUT, message, null);
  }

  public int exitCode() {
    return exitCode;
  }
}
