package dev.portfwd.table;

import dev.portfwd.model.Addresses;
import dev.portfwd.model.IpFamily;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code snat=ADDRESS}: the source address the kernel gives the forward's connections instead
 * of masquerade's pick of the outgoing interface's own address. An HA pair needs it: the backends
 * must answer the virtual VPN-side address, which moves with the active gateway, not an address of
 * one machine. Kept apart from {@link OptionColumns} since it also checks the option against the
 * backend and {@code masquerade=}.
 */
final class SnatOption {

  static final String KEY = "snat";

  private SnatOption() {}

  /**
   * The address of {@code snat=} in {@code byKey}, or empty when absent or wrong (reported: not an
   * IP address, another IP version than {@code backend}, or given with {@code masquerade=no}).
   */
  static Optional<InetAddress> read(
      Map<String, Token> byKey, Optional<InetAddress> backend, LineDiagnostics report) {
    Token token = byKey.get(KEY);
    if (token == null) {
      return Optional.empty();
    }
    int column = token.column() + KEY.length() + 1;
    String text = token.text().substring(KEY.length() + 1);
    Optional<InetAddress> address = Addresses.parse(text);
    if (address.isEmpty()) {
      report.notSnatAddress(column, text);
      return Optional.empty();
    }
    if (backend.isPresent() && IpFamily.of(backend.get()) != IpFamily.of(address.get())) {
      report.snatOfOtherFamily(column, text);
      return Optional.empty();
    }
    Token masquerade = byKey.get("masquerade");
    if (masquerade != null
        && masquerade.text().toLowerCase(Locale.ROOT).matches("masquerade=(no|false|off)")) {
      report.snatWithoutMasquerade(token.column());
      return Optional.empty();
    }
    return address;
  }
}
