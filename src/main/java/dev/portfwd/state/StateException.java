package dev.portfwd.state;

/**
 * The state directory forbids what was asked (an apply while another waits for confirmation,
 * nothing to roll back) or the rollback safety net could not be set up. One line for the user.
 */
public final class StateException extends Exception {

  public StateException(String message) {
    super(message);
  }

  public StateException(String message, Throwable cause) {
    super(message, cause);
  }
}
