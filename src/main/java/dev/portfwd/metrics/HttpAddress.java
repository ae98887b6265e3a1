package dev.portfwd.metrics;

import dev.portfwd.model.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Reads {@code --http}'s {@code ADDRESS:PORT}: an IPv4 literal or an IPv6 literal in brackets,
 * never a host name ({@code 127.0.0.1:9470}, {@code [::1]:9470}).
 */
public final class HttpAddress {

  private HttpAddress() {}

  /**
   * The socket address {@code text} names.
   *
   * @throws IllegalArgumentException with a message for the user when it names none
   */
  public static InetSocketAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw invalid(text);
    }
    String host = text.substring(0, colon);
    String port = text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (host.indexOf(':') < 0) {
        throw invalid(text);
      }
    } else if (host.indexOf(':') >= 0) {
      throw invalid(text); // an IPv6 address without brackets: where does the port start?
    }
    Optional<InetAddress> address = Addresses.parse(host);
    if (address.isEmpty() || !port.matches("[0-9]{1,5}")) {
      throw invalid(text);
    }
    int number = Integer.parseInt(port);
    if (number > 65_535) {
      throw invalid(text);
    }
    return new InetSocketAddress(address.get(), number);
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "--http takes ADDRESS:PORT with an IP address (IPv6 in brackets), e.g. 127.0.0.1:9470 or"
            + " [::1]:9470, not '"
            + text
            + "'");
  }
}
