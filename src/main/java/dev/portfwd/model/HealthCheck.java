package dev.portfwd.model;

import java.util.OptionalInt;

/**
 * How the service tells whether a backend is alive: {@code none}, or a TCP connection to the
 * backend's port ({@code tcp}) or to another port that proves the service ({@code tcp:PORT}, for a
 * UDP service with a TCP side).
 *
 * @param tcp false for {@code none}
 * @param port the port to connect to; empty means the forward's backend port
 */
public record HealthCheck(boolean tcp, OptionalInt port) {

  public static final HealthCheck NONE = new HealthCheck(false, OptionalInt.empty());
  public static final HealthCheck TCP = new HealthCheck(true, OptionalInt.empty());

  public HealthCheck {
    if (!tcp && port.isPresent()) {
      throw new IllegalArgumentException("check=none takes no port");
    }
    if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65535)) {
      throw new IllegalArgumentException("port " + port.getAsInt() + " is outside 1-65535");
    }
  }

  public static HealthCheck tcp(int port) {
    return new HealthCheck(true, OptionalInt.of(port));
  }

  /** {@code none}, {@code tcp} or {@code tcp:PORT}: the table's words. */
  public String keyword() {
    return !tcp ? "none" : port.isPresent() ? "tcp:" + port.getAsInt() : "tcp";
  }
}
