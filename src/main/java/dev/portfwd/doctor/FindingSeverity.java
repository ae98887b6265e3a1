package dev.portfwd.doctor;

import java.util.Locale;

/** How bad a finding is: any {@link #ERROR} makes {@code doctor} exit 1; the others exit 0. */
public enum FindingSeverity {
  /** Forwarding fails now because of this. */
  ERROR,
  /** Forwarding may fail, or something else suffers (a shadowed service). */
  WARNING,
  /** A fact worth knowing (a probe that succeeded, what cannot be proven). */
  INFO;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
