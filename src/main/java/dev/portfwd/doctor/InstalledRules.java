package dev.portfwd.doctor;

import dev.portfwd.model.ForwardTable;
import java.util.Optional;

/**
 * Reads what portfwd installed and compares it with a table: the one place doctor depends on a
 * kernel backend, so it can be swapped for another backend or a fake.
 */
public interface InstalledRules {

  /**
   * Inspects the installed rules; never fails (what cannot be read is an unreadable state).
   *
   * @param table the table they should match, when one was given
   */
  InstalledState inspect(Optional<ForwardTable> table);

  /**
   * The installed forwards as a table (for {@code doctor} without a table); empty if unreadable.
   */
  ForwardTable installedForwards();
}
