package dev.portfwd.state;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Another command held the state directory's lock for longer than this one would wait. */
public final class StateLockedException extends IOException {

  public StateLockedException(Path dir, Duration waited, String holder) {
    super(
        "another portfwd command is changing the rules ("
            + dir.resolve("lock")
            + " is held"
            + (holder.isBlank() ? "" : " by " + holder)
            + "); waited "
            + waited.toSeconds()
            + " s; nothing was changed, run it again when that command has finished");
  }
}
