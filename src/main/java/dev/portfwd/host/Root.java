package dev.portfwd.host;

import dev.portfwd.backend.BackendException;
import java.io.IOException;
import java.util.List;

/**
 * The check every command that reads or changes kernel forwarding makes first: without root each
 * kernel tool fails half-way through with its own message, so portfwd says it once, before anything
 * is attempted.
 */
public final class Root {

  private Root() {}

  /** Fails unless {@code runner}'s commands run as root. */
  public static void require(CommandRunner runner) throws BackendException {
    CommandResult id;
    try {
      id = runner.run(List.of("id", "-u"));
    } catch (CommandException e) {
      throw new BackendException(e.getMessage(), e);
    } catch (IOException e) {
      throw new BackendException("cannot run id: " + e.getMessage(), e);
    }
    if (!id.succeeded() || !id.stdout().strip().equals("0")) {
      throw new BackendException(
          "changing or reading kernel forwarding needs root; run it with sudo");
    }
  }
}
