package dev.portfwd.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the dashboard's API asks of the service, each answer in the JSON shape the CLI's {@code
 * --json} prints where it has one. The service implements it over its one engine; tests use a fake.
 * The web package knows HTTP, logins and pages, and nothing of tables or kernels.
 */
public interface DashboardApi {

  /** The live forwards with their counters ({@code status --json}). */
  JsonNode forwards() throws ApiException;

  /**
   * The watched table file's name, text and {@code version} (the SHA-256 of its bytes in hex, empty
   * for a missing file), for the editor; the page sends the version back as an apply's base.
   */
  JsonNode table() throws ApiException;

  /** {@code check --json} of {@code text}. */
  JsonNode check(String text) throws ApiException;

  /** What applying {@code text} would change, per forward; changes nothing. */
  JsonNode plan(String text) throws ApiException;

  /**
   * Applies {@code text}; with {@code confirm}, arms the rollback timer and returns at once with
   * the confirmation's deadline. With {@code base}, the version of the file the text was edited
   * from ({@link #table()}), refuses with 409 and changes nothing when the file is no longer that
   * version: applying would undo an edit made since it was loaded.
   */
  JsonNode apply(String text, Optional<String> base, Optional<Duration> confirm)
      throws ApiException;

  /** Keeps the apply that waits for confirmation. */
  JsonNode confirm() throws ApiException;

  /**
   * Without {@code state}: undoes the apply that waits, or returns to the state before the live
   * one. With it: returns to that recorded state, as a new one; with {@code confirm}, with the
   * rollback timer armed, as an apply.
   */
  JsonNode rollback(OptionalLong state, Optional<Duration> confirm) throws ApiException;

  /** {@code doctor --json}. */
  JsonNode doctor() throws ApiException;

  /** The recorded states, newest first, and the confirmation that waits, if any. */
  JsonNode history() throws ApiException;

  /**
   * A request the service refused or could not carry out.
   *
   * @param status the HTTP status to answer with (400, 409, 422, 500, ...)
   * @param details more JSON for the answer (the diagnostics of a table with errors), or null
   */
  final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final transient JsonNode details;

    public ApiException(int status, String message, JsonNode details) {
      super(message);
      this.status = status;
      this.details = details;
    }

    public ApiException(int status, String message) {
      this(status, message, null);
    }

    public int status() {
      return status;
    }

    public Optional<JsonNode> details() {
      return Optional.ofNullable(details);
    }
  }
}
