package dev.portfwd.engine;

import dev.portfwd.backend.LiveForward;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Engine#liveStatus} read: the installed forwards with their counters, and, when their
 * connection counts are unknown (-1), the one reason why, for a footnote.
 *
 * @param connectionsUnknown why no forward has a connection count: conntrack missing or failing
 */
public record LiveStatus(List<LiveForward> forwards, Optional<String> connectionsUnknown) {

  public LiveStatus {
    forwards = List.copyOf(forwards);
  }
}
