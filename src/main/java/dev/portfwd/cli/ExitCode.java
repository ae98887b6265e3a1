package dev.portfwd.cli;

/** The exit codes of every command, fixed so scripts can rely on them. */
public final class ExitCode {
  /** Everything worked (for {@code doctor}: nothing is wrong). */
  public static final int OK = 0;

  /**
   * The host or a tool failed: not root, {@code nft} missing, a rule rejected, a file unreadable.
   */
  public static final int FAILURE = 1;

  /** The input was wrong: a table with errors, an unknown option or command. */
  public static final int INVALID_INPUT = 2;

  private ExitCode() {}
}
