package dev.portfwd.backend;

/**
 * A backend could not read or change the kernel. The message is one line for the user: what failed
 * and, where known, what to do. The kernel state is unchanged when {@code apply} throws it.
 */
public final class BackendException extends Exception {

  public BackendException(String message) {
    super(message);
  }

  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
