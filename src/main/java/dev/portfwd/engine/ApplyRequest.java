package dev.portfwd.engine;

import dev.portfwd.compile.DesiredState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One request to make the kernel hold a table.
 *
 * @param desired the compiled table
 * @param source where the table came from, recorded for {@code status} (a file name or {@code
 *     standard input})
 * @param useRecord false for {@code --reread}: read every element from the kernel instead of
 *     trusting the record of the last apply
 * @param managesSysctls false for {@code --no-sysctl}: leave IP forwarding as it is
 * @param confirm with a value, arm the rollback timer for that long ({@code --confirm})
 */
public record ApplyRequest(
    DesiredState desired,
    String source,
    boolean useRecord,
    boolean managesSysctls,
    Optional<Duration> confirm) {

  public ApplyRequest {
    Objects.requireNonNull(desired, "desired");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(confirm, "confirm");
  }
}
