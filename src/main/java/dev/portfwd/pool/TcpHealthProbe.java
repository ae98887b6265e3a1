package dev.portfwd.pool;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A backend is alive when it accepts a TCP connection, closed at once: HAProxy's and realm's basic
 * check, which proves the service listens without speaking its protocol.
 */
public final class TcpHealthProbe implements HealthProbe {

  @Override
  public String check(CheckTarget target, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(target.address(), target.port()),
          (int) Math.max(1, timeout.toMillis()));
      return null;
    } catch (ConnectException e) {
      return "connection refused";
    } catch (SocketTimeoutException e) {
      return "no answer within " + timeout.toMillis() + " ms";
    } catch (NoRouteToHostException e) {
      return "no route to host";
    } catch (IOException e) {
      return String.valueOf(e.getMessage());
    }
  }
}
