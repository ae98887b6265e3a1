package dev.portfwd.doctor;

import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.util.Optional;

/**
 * A socket the gateway itself listens on (from {@code ss -H -tlnp} / {@code -ulnp}).
 *
 * @param address the bound address ({@code 0.0.0.0} and {@code ::} are wildcards); empty for {@code
 *     *}
 * @param process the program's name ({@code sshd}), when ss could tell
 */
public record ListeningSocket(
    Protocol protocol,
    Optional<InetAddress> address,
    int port,
    Optional<String> process,
    Optional<Long> pid) {

  public boolean isLoopbackOnly() {
    return address.map(InetAddress::isLoopbackAddress).orElse(false);
  }

  /** {@code sshd (pid 812)} or {@code a process}. */
  public String describe() {
    return process.map(p -> p + pid.map(id -> " (pid " + id + ")").orElse("")).orElse("a process");
  }
}
