package dev.portfwd.table;

import dev.portfwd.model.PortRange;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Owns reading a port or a port range as the EXT and INT-PORT columns write it: {@code 80}, {@code
 * 8000-8009} or {@code 8000:8009}.
 */
final class PortRangeText {

  // Single ports, made once each as tables name them and shared by every forward naming the same
  // port: a range is immutable, and a race at worst makes one twice.
  private static final PortRange[] SINGLE = new PortRange[PortRange.MAX_PORT + 1];

  private PortRangeText() {}

  /** The range of the single port {@code port} (1-65535). */
  private static PortRange single(int port) {
    PortRange range = SINGLE[port];
    if (range == null) {
      range = PortRange.of(port);
      SINGLE[port] = range;
    }
    return range;
  }

  /**
   * The range written as {@code text}, which starts at {@code column}; empty, with the problem
   * reported, when it is none. {@code what} ("external port", "backend port") names the column in
   * messages.
   */
  static Optional<PortRange> parse(String text, int column, String what, LineDiagnostics report) {
    int dash = text.indexOf('-');
    int sep = dash >= 0 ? dash : text.indexOf(':');
    if (sep < 0) {
      OptionalInt port = port(text, column, what, report);
      return port.isPresent() ? Optional.of(single(port.getAsInt())) : Optional.empty();
    }
    OptionalInt first = port(text.substring(0, sep), column, what, report);
    OptionalInt last = port(text.substring(sep + 1), column + sep + 1, what, report);
    if (first.isEmpty() || last.isEmpty()) {
      return Optional.empty();
    }
    if (last.getAsInt() < first.getAsInt()) {
      report.reversedRange(column, what, text, first.getAsInt(), last.getAsInt());
      return Optional.empty();
    }
    return Optional.of(new PortRange(first.getAsInt(), last.getAsInt()));
  }

  /** True when {@code text} is one or more ASCII digits (not other scripts' digits). */
  static boolean isDigits(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static OptionalInt port(String text, int column, String what, LineDiagnostics report) {
    if (!isDigits(text)) {
      report.notPort(column, what, text);
      return OptionalInt.empty();
    }
    if (text.length() > 5
        || Integer.parseInt(text) > PortRange.MAX_PORT
        || Integer.parseInt(text) < 1) {
      report.portOutOfRange(column, what, text);
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(text));
  }
}
