package dev.portfwd.state;

import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableParser;

/** Compiles table text for tests. */
public final class Forwards {

  private Forwards() {}

  public static DesiredState of(String text) {
    ParseResult result = TableParser.parse("test.txt", text);
    if (result.hasErrors()) {
      throw new IllegalArgumentException(result.diagnostics().toString());
    }
    try {
      return Compiler.compile(result.table());
    } catch (CompileException e) {
      throw new IllegalArgumentException(e.problems().toString());
    }
  }
}
