package dev.portfwd.testing;

import dev.portfwd.host.CommandResult;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Small, bounded traffic for end-to-end tests, all inside a {@link Topology}'s namespaces: socat
 * servers that answer with a tag and the peer address they saw, and clients that time out fast.
 */
public final class Traffic {

  private Traffic() {}

  /** A TCP server on {@code port} in {@code role} answering {@code TAG PEERADDR:PEERPORT}. */
  public static void tcpServer(Topology topology, String role, int port, String tag, boolean ipv6) {
    topology.spawn(
        role,
        "socat",
        (ipv6 ? "TCP6-LISTEN:" + port + ",ipv6only=1" : "TCP4-LISTEN:" + port) + ",fork,reuseaddr",
        "SYSTEM:echo " + tag + " $SOCAT_PEERADDR");
    topology.awaitListening(role, "tcp", port, Duration.ofSeconds(5));
  }

  /**
   * A UDP server on {@code port} in {@code role} answering each datagram with {@code TAG PEERADDR}.
   * The script reads the datagram first: if it exited before socat wrote the datagram to it, socat
   * would fail with EPIPE and never send the answer (a race that shows under load).
   */
  public static void udpServer(Topology topology, String role, int port, String tag) {
    topology.spawn(
        role,
        "socat",
        "UDP4-LISTEN:" + port + ",fork,reuseaddr",
        "SYSTEM:read request; echo " + tag + " $SOCAT_PEERADDR");
    topology.awaitListening(role, "udp", port, Duration.ofSeconds(5));
  }

  /**
   * What a TCP connection from {@code role} to {@code host:port} reads; empty when the network
   * refused or dropped it (refused, timed out, unreachable, reset). Any other failure (socat
   * missing, a bad address) fails the test: "empty" must mean the forward did not carry it.
   */
  public static String tcp(Topology topology, String role, String host, int port) {
    String target =
        host.contains(":") ? "TCP6:[" + host + "]:" + port : "TCP4:" + host + ":" + port;
    CommandResult result =
        topology.exec(
            role, "timeout", "6", "socat", "-T3", "-u", target + ",connect-timeout=2", "-");
    if (result.succeeded()) {
      return result.stdout().strip();
    }
    if (result.exitCode() == TIMEOUT_EXIT || NETWORK_FAILURE.matcher(result.stderr()).find()) {
      return "";
    }
    throw new AssertionError(
        "socat failed for another reason than the network: "
            + result.describeFailure()
            + "\n"
            + result.stderr());
  }

  /** {@code timeout}'s exit code when it stopped the command. */
  private static final int TIMEOUT_EXIT = 124;

  private static final Pattern NETWORK_FAILURE =
      Pattern.compile(
          "Connection refused|Connection timed out|Operation timed out|No route to host"
              + "|Network is unreachable|Connection reset by peer");

  /**
   * The answer to one datagram from {@code role} (from {@code sourcePort}, 0 = any); empty when
   * none came or the network refused it (an ICMP error). Any other failure (socat missing, a bad
   * address, a source port in use) fails the test, as for {@link #tcp}. {@code -t3}: socat
   * otherwise quits 0.5 s after its input ends, before a slow answer.
   */
  public static String udp(Topology topology, String role, String host, int port, int sourcePort) {
    String target =
        "UDP4:" + host + ":" + port + (sourcePort > 0 ? ",bind=0.0.0.0:" + sourcePort : "");
    CommandResult result =
        topology.exec(role, "sh", "-c", "echo ping | timeout 6 socat -t3 -T3 - " + target);
    if (result.succeeded()
        || result.exitCode() == TIMEOUT_EXIT
        || NETWORK_FAILURE.matcher(result.stderr()).find()) {
      return result.stdout().strip();
    }
    throw new AssertionError(
        "socat failed for another reason than the network: "
            + result.describeFailure()
            + "\n"
            + result.stderr());
  }
}
