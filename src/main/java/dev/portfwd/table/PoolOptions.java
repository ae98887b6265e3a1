package dev.portfwd.table;

import dev.portfwd.model.Balance;
import dev.portfwd.model.HealthCheck;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Owns reading the options about a forward's backends: {@code balance=failover|roundrobin|hash} and
 * {@code check=tcp|tcp:PORT|none}. Empty when the line does not give them (the defaults then depend
 * on the backends, see {@link dev.portfwd.model.BackendPool}).
 */
record PoolOptions(Optional<Balance> balance, Optional<HealthCheck> check) {

  static final List<String> KEYS = List.of("balance", "check");

  /** Reads {@code balance=} and {@code check=} from {@code byKey}, reporting bad values. */
  static PoolOptions read(Map<String, Token> byKey, LineDiagnostics report) {
    Optional<Balance> balance = Optional.empty();
    Optional<HealthCheck> check = Optional.empty();
    Token balanceToken = byKey.get("balance");
    if (balanceToken != null) {
      balance = value(balanceToken, report).flatMap(v -> balance(v, balanceToken, report));
    }
    Token checkToken = byKey.get("check");
    if (checkToken != null) {
      check = value(checkToken, report).flatMap(v -> check(v, checkToken, report));
    }
    return new PoolOptions(balance, check);
  }

  private static Optional<Balance> balance(String value, Token token, LineDiagnostics report) {
    Optional<Balance> balance = Balance.of(value);
    if (balance.isEmpty()) {
      report.notBalance(valueColumn(token), value);
    }
    return balance;
  }

  private static Optional<HealthCheck> check(String value, Token token, LineDiagnostics report) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.equals("none") || lower.equals("no")) {
      return Optional.of(HealthCheck.NONE);
    }
    if (lower.equals("tcp")) {
      return Optional.of(HealthCheck.TCP);
    }
    if (lower.startsWith("tcp:")) {
      String port = lower.substring(4);
      if (PortRangeText.isDigits(port) && port.length() <= 5) {
        int number = Integer.parseInt(port);
        if (number >= 1 && number <= 65535) {
          return Optional.of(HealthCheck.tcp(number));
        }
      }
    }
    report.notCheck(valueColumn(token), value);
    return Optional.empty();
  }

  private static Optional<String> value(Token token, LineDiagnostics report) {
    String value = token.text().substring(token.text().indexOf('=') + 1);
    if (value.isEmpty()) {
      report.missingOptionValue(
          valueColumn(token), token.text().substring(0, token.text().indexOf('=')));
      return Optional.empty();
    }
    return Optional.of(value);
  }

  private static int valueColumn(Token token) {
    return token.column() + token.text().indexOf('=') + 1;
  }
}
