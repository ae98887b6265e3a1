package dev.portfwd.doctor;

import dev.portfwd.host.CommandRunner;
import dev.portfwd.model.ForwardTable;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads what portfwd installed and compares it with a table: the one place doctor depends on a
 * kernel backend, so it can be swapped for a richer comparison or a fake.
 */
public interface InstalledRules {

  /**
   * Inspects the installed rules through {@code runner}.
   *
   * @param table the table they should match, when one was given
   */
  InstalledState inspect(CommandRunner runner, Optional<ForwardTable> table) throws IOException;
}
