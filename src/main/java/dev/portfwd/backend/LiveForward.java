package dev.portfwd.backend;

import dev.portfwd.compile.CompiledForward;

/**
 * An installed forward with its kernel counters: {@code packets} and {@code bytes} the clients sent
 * through it since it was installed, and {@code connections}, the connections conntrack holds for
 * it right now (-1 when unknown).
 */
public record LiveForward(CompiledForward forward, long packets, long bytes, long connections) {

  public LiveForward withConnections(long count) {
    return new LiveForward(forward, packets, bytes, count);
  }
}
