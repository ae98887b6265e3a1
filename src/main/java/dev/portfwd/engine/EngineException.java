package dev.portfwd.engine;

/**
 * A change the engine could not make, with one message for people that says what happened to the
 * host (usually "nothing was changed") and what to do. Callers print it; they never parse it.
 */
public final class EngineException extends Exception {

  public EngineException(String message) {
    super(message);
  }

  public EngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
