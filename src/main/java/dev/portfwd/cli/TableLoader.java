package dev.portfwd.cli;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.table.Diagnostic;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.TableReader;
import dev.portfwd.table.TerminalText;
import java.io.InputStream;
import java.io.PrintWriter;

/**
 * Loads the table a command was given, the same way for every command: diagnostics go to standard
 * error, and a table with any error stops the command (exit 2) before it touches anything.
 */
final class TableLoader {

  private TableLoader() {}

  /**
   * Reads and parses {@code location}; does not print anything.
   *
   * @throws PortfwdException exit 2 when the table is refused (not a regular file, too large), exit
   *     1 when it cannot be read
   */
  static ParseResult parse(String location, InputStream stdin) {
    try {
      return TableReader.read(location, stdin);
    } catch (TableReader.TableUnreadableException e) {
      throw stop(e);
    }
  }

  /** The exception that stops a command whose table {@code e} says could not be read. */
  static PortfwdException stop(TableReader.TableUnreadableException e) {
    return e.isInvalidInput()
        ? PortfwdException.invalidInput(e.getMessage())
        : PortfwdException.failure(e.getMessage());
  }

  /**
   * Reads {@code location}, prints its diagnostics to {@code err} and returns the table.
   *
   * @throws PortfwdException exit 2 when the table has errors or is refused; exit 1 when it cannot
   *     be read
   */
  static ForwardTable load(String location, InputStream stdin, PrintWriter err) {
    ParseResult result = parse(location, stdin);
    printDiagnostics(result, err);
    if (result.hasErrors()) {
      throw PortfwdException.invalidInput(summary(result) + "; nothing was changed");
    }
    return result.table();
  }

  /** Prints the diagnostics to show, each escaped for a terminal and bounded in length. */
  static void printDiagnostics(ParseResult result, PrintWriter err) {
    for (Diagnostic diagnostic : result.diagnostics()) {
      err.println(diagnostic.render());
    }
    err.flush();
  }

  /** {@code "3 errors and 1 warning in ports.txt"}. */
  static String summary(ParseResult result) {
    int errors = result.errorCount();
    int warnings = result.warningCount();
    String text = count(errors, "error");
    if (warnings > 0) {
      text += " and " + count(warnings, "warning");
    }
    return text + " in " + TerminalText.escape(result.table().source());
  }

  static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
