package dev.portfwd.doctor;

import java.util.List;
import java.util.Optional;

/**
 * What portfwd has installed in the kernel, compared with the table when one was given.
 *
 * @param installed whether portfwd's rules exist at all
 * @param differences what applying the table would change, one line each; empty when the
 *     installed rules match the table, absent when no comparison was possible
 * @param how how this was found out, for the report ({@code nft -j list table inet portfwd})
 */
public record InstalledState(boolean installed, Optional<List<String>> differences, String how) {

  public InstalledState {
    differences = differences.map(List::copyOf);
  }
}
