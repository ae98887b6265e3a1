package dev.portfwd.compile;

import java.util.List;

/**
 * A table that parses but cannot be served by the kernel backends (an IPv6 address forwarded to an
 * IPv4 backend, PROXY protocol). Carries every problem, one line each, naming the table line.
 */
public final class CompileException extends Exception {
  private final List<String> problems;

  public CompileException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
