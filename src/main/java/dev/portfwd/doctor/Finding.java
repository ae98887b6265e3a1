package dev.portfwd.doctor;

import dev.portfwd.model.Forward;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing doctor found: what is wrong, why it breaks forwarding and how to fix it.
 *
 * @param check the stable id of the check that produced it ({@code ip-forwarding}, ...), for
 *     scripts
 * @param forward the forward it concerns; empty when it concerns the whole host
 * @param what what is wrong, one sentence naming the object (sysctl, chain, rule, socket)
 * @param why why that breaks (or may break) forwarding
 * @param fix a shell command that fixes it, run on the gateway; empty when no command can be given
 * @param note how to apply the fix or what else to consider; may be empty
 */
public record Finding(
    FindingSeverity severity,
    String check,
    Optional<Forward> forward,
    String what,
    String why,
    String fix,
    String note) {

  public Finding {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(forward, "forward");
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(why, "why");
    Objects.requireNonNull(fix, "fix");
    Objects.requireNonNull(note, "note");
  }

  /** A finding about the whole host. */
  public static Finding host(
      FindingSeverity severity, String check, String what, String why, String fix, String note) {
    return new Finding(severity, check, Optional.empty(), what, why, fix, note);
  }

  /** A finding about {@code forward}. */
  public static Finding about(
      Forward forward,
      FindingSeverity severity,
      String check,
      String what,
      String why,
      String fix,
      String note) {
    return new Finding(severity, check, Optional.of(forward), what, why, fix, note);
  }

  public boolean isError() {
    return severity == FindingSeverity.ERROR;
  }
}
