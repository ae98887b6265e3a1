package dev.portfwd.metrics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * An {@link HttpEndpoint} in a process of its own, for tests of what the JDK's server reads once
 * per process (its request time): serves {@code /ok}, prints its port, and runs until killed.
 */
public final class EndpointProcess {

  private EndpointProcess() {}

  public static void main(String[] args) throws Exception {
    HttpEndpoint endpoint =
        HttpEndpoint.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            Map.of("/ok", exchange -> HttpEndpoint.text(exchange, 200, "ok\n")));
    System.out.println(endpoint.address().getPort());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
