package dev.portfwd.testing;

import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableParser;

/**
 * Test helper: a forwarding table's text compiled to what a backend installs, failing loudly on
 * table errors.
 */
public final class Tables {

  private Tables() {}

  public static DesiredState compile(String text) {
    ParseResult result = TableParser.parse("test.txt", text);
    if (result.hasErrors()) {
      throw new AssertionError("table has errors: " + result.diagnostics());
    }
    try {
      return Compiler.compile(result.table());
    } catch (CompileException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
