package dev.portfwd.doctor;

import java.util.List;
import java.util.Optional;

/**
 * What portfwd has installed in the kernel, compared with the table when one was given.
 *
 * @param readable whether the installed rules could be read at all (not root, no nft: false)
 * @param installed whether portfwd's rules exist
 * @param differences what applying the table would change, one line each; empty when the installed
 *     rules match the table, absent when no comparison was possible
 * @param how how this was found out, or why it could not be, for the report
 */
public record InstalledState(
    boolean readable, boolean installed, Optional<List<String>> differences, String how) {

  public InstalledState {
    differences = differences.map(List::copyOf);
  }

  /** The installed rules could not be read; {@code why} says what stopped doctor. */
  public static InstalledState unreadable(String why) {
    return new InstalledState(false, false, Optional.empty(), why);
  }
}
