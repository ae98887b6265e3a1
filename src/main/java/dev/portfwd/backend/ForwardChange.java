package dev.portfwd.backend;

import dev.portfwd.compile.CompiledForward;
import java.util.Optional;

/**
 * What a plan does to one forward: add it, remove it, or change what it sends to (or its options,
 * or its description). Forwards that stay as they are appear in no change.
 */
public record ForwardChange(
    Kind kind, Optional<CompiledForward> before, Optional<CompiledForward> after) {

  public enum Kind {
    ADD("+"),
    CHANGE("~"),
    REMOVE("-");

    private final String sign;

    Kind(String sign) {
      this.sign = sign;
    }

    public String sign() {
      return sign;
    }
  }

  public ForwardChange {
    if (before.isEmpty() && kind != Kind.ADD || after.isEmpty() && kind != Kind.REMOVE) {
      throw new IllegalArgumentException(
          kind + " needs " + (kind == Kind.ADD ? "after" : "before"));
    }
  }

  public static ForwardChange add(CompiledForward forward) {
    return new ForwardChange(Kind.ADD, Optional.empty(), Optional.of(forward));
  }

  public static ForwardChange remove(CompiledForward forward) {
    return new ForwardChange(Kind.REMOVE, Optional.of(forward), Optional.empty());
  }

  public static ForwardChange change(CompiledForward before, CompiledForward after) {
    return new ForwardChange(Kind.CHANGE, Optional.of(before), Optional.of(after));
  }

  /** The forward as it will be (or as it was, for a removal). */
  public CompiledForward subject() {
    return after.or(() -> before).orElseThrow();
  }

  /** {@code + 13102/tcp → 192.0.2.2:80 Netbook Apache}; a change adds {@code (was …)}. */
  public String describe() {
    String text = kind.sign() + " " + subject().describe();
    if (kind == Kind.CHANGE) {
      CompiledForward old = before.orElseThrow();
      StringBuilder was = new StringBuilder(old.backendText());
      if (!old.optionsText().equals(subject().optionsText())) {
        was.append(old.optionsText().isEmpty() ? " (no options)" : " " + old.optionsText());
      }
      if (!old.description().equals(subject().description())) {
        was.append(
            old.description().isEmpty() ? " no description" : " \"" + old.description() + "\"");
      }
      text += "  (was " + was + ")";
    }
    return text;
  }
}
