package dev.portfwd.iptables;

import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableParser;

/** Test helper: a forwarding table's text compiled to what a backend installs. */
final class Tables {

  private Tables() {}

  static DesiredState compile(String text) {
    ParseResult parsed = TableParser.parse("test.table", text);
    if (parsed.hasErrors()) {
      throw new IllegalArgumentException("bad test table: " + parsed.errors());
    }
    try {
      return Compiler.compile(parsed.table());
    } catch (CompileException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
