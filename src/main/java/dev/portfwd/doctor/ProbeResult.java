package dev.portfwd.doctor;

import dev.portfwd.model.Forward;
import dev.portfwd.model.Protocol;
import java.time.Duration;

/**
 * What a probe of one backend found.
 *
 * @param port the backend port probed (the first of a range)
 * @param elapsed how long the attempt took, including starting the probing program
 * @param detail what the probing program said, for the report
 */
public record ProbeResult(
    Forward forward,
    Protocol protocol,
    int port,
    Outcome outcome,
    Duration elapsed,
    String detail) {

  public enum Outcome {
    /** The backend accepted a TCP connection. */
    OK,
    /** Something answered with a reset: nothing listens there, or a firewall rejects. */
    REFUSED,
    /** No answer within the timeout. */
    TIMED_OUT,
    /** The kernel or a router said the backend cannot be reached. */
    UNREACHABLE,
    /** UDP: no handshake, so nothing can be proven from the gateway. */
    UNPROVABLE,
    /** The probe could not run (no socat, no bash), or said something unexpected. */
    UNKNOWN
  }
}
