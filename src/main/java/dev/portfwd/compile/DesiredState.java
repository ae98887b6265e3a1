package dev.portfwd.compile;

import dev.portfwd.model.IpFamily;
import java.util.List;

/**
 * The forwards a kernel backend must install, in canonical form (see {@link Canonical}) and {@link
 * CompiledForward#ORDER}. Also what a backend reads back from the kernel, so the two compare with
 * {@code equals}.
 */
public record DesiredState(List<CompiledForward> forwards) {

  public DesiredState {
    forwards = Canonical.normalize(forwards);
  }

  public static DesiredState empty() {
    return new DesiredState(List.of());
  }

  /** True when some forward rewrites packets of {@code family} (so its forwarding must be on). */
  public boolean uses(IpFamily family) {
    return forwards.stream().anyMatch(f -> f.family() == family);
  }

  public boolean isEmpty() {
    return forwards.isEmpty();
  }
}
