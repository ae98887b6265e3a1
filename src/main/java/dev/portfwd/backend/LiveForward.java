package dev.portfwd.backend;

import dev.portfwd.compile.CompiledForward;
import java.net.InetAddress;
import java.util.List;

/**
 * An installed forward with its kernel counters: {@code packets} and {@code bytes} the clients sent
 * through it since it was installed, and {@code connections}, the connections conntrack holds for
 * it right now (-1 when unknown). A forward spread over several backends also has each backend's
 * share in {@code backends} (in the forward's order; the forward's counters are their sum); others
 * have none.
 */
public record LiveForward(
    CompiledForward forward,
    long packets,
    long bytes,
    long connections,
    List<BackendCounter> backends) {

  public LiveForward {
    backends = List.copyOf(backends);
  }

  /** A forward with no counters per backend. */
  public LiveForward(CompiledForward forward, long packets, long bytes, long connections) {
    this(forward, packets, bytes, connections, List.of());
  }

  public LiveForward withConnections(long count) {
    return new LiveForward(forward, packets, bytes, count, backends);
  }

  /** What one backend of a spread forward received: the packets and bytes clients sent to it. */
  public record BackendCounter(InetAddress backend, long packets, long bytes) {}
}
