package dev.portfwd.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portfwd.model.Addresses;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ProxyProtocol;
import dev.portfwd.table.Diagnostic;
import dev.portfwd.table.ParseResult;
import dev.portfwd.table.Severity;
import dev.portfwd.table.TableReader;
import dev.portfwd.table.TerminalText;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code portfwd check}: validates a table and shows the forwards it defines. Changes nothing. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Validate a forwarding table and print the forwards it defines.",
      "Every problem is reported at once as FILE:LINE:COLUMN; nothing on the host is read or changed."
    })
final class CheckCommand implements Runnable {

  /**
   * The most characters of a description the table shows; a longer one is cut with {@code …}. A
   * description may be as long as its line, and a 2 MB one must not flood the terminal; {@code
   * --json} keeps it whole.
   */
  static final int SHOWN_DESCRIPTION_CHARS = 80;

  @Spec CommandSpec spec;

  @ParentCommand Portfwd root;

  @Option(names = "--json", description = "Print the forwards and diagnostics as JSON for scripts.")
  boolean json;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TABLE",
      defaultValue = TableReader.DEFAULT_TABLE,
      description =
          "The forwarding table to check; '-' reads standard input (default: ${DEFAULT-VALUE}).")
  String table;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ParseResult result;
    try {
      result = withNameWarnings(TableReader.read(table, root.stdin()));
    } catch (TableReader.TableUnreadableException e) {
      // A script parses stdout whatever happened; the exit code and stderr are those of any
      // command.
      if (json) {
        out.println(unreadableJson(table, e.getMessage()).toPrettyString());
        out.flush();
      }
      throw TableLoader.stop(e);
    }
    if (json) {
      out.println(toJson(result).toPrettyString());
      out.flush();
    } else {
      TableLoader.printDiagnostics(result, err);
      if (!result.hasErrors()) {
        printForwards(result, out);
      }
    }
    if (result.hasErrors()) {
      throw PortfwdException.invalidInput(TableLoader.summary(result));
    }
  }

  /** {@code result} with a warning for each backend name that does not resolve here. */
  private static ParseResult withNameWarnings(ParseResult result) {
    if (result.hasErrors()) {
      return result;
    }
    return BackendNames.withDiagnostics(
        result, BackendNames.resolve(result.table()), Severity.WARNING);
  }

  /** The forwards as a table, written row by row: a table of a million is never one string. */
  static void printForwards(ParseResult result, PrintWriter out) {
    List<Forward> forwards = result.table().forwards();
    if (forwards.isEmpty()) {
      out.println("no forwards in " + TerminalText.escape(result.table().source()));
      out.flush();
      return;
    }
    TextTable.write(
        out,
        new String[] {"LINE", "EXTERNAL", "PROTO", "BACKEND", "OPTIONS", "DESCRIPTION"},
        forwards.size(),
        i -> {
          Forward forward = forwards.get(i);
          return new String[] {
            Integer.toString(forward.line()),
            forward.externalText(),
            forward.protocolText(),
            forward.backendText(),
            options(forward),
            TerminalText.cut(forward.description(), SHOWN_DESCRIPTION_CHARS)
          };
        });
  }

  private static String options(Forward forward) {
    StringBuilder options = new StringBuilder();
    if (forward.isRestricted()) {
      options
          .append("from=")
          .append(
              String.join(",", forward.allowedSources().stream().map(Object::toString).toList()));
    }
    if (!forward.masquerade()) {
      options.append(options.length() > 0 ? " " : "").append("masquerade=no");
    }
    if (forward.proxyProtocol() != ProxyProtocol.NONE) {
      options
          .append(options.length() > 0 ? " " : "")
          .append("proxy-protocol=")
          .append(forward.proxyProtocol().keyword());
    }
    forward
        .pool()
        .balance()
        .ifPresent(
            b -> options.append(options.length() > 0 ? " " : "").append("balance=" + b.keyword()));
    forward
        .pool()
        .check()
        .ifPresent(
            c -> options.append(options.length() > 0 ? " " : "").append("check=" + c.keyword()));
    forward
        .snat()
        .ifPresent(
            a ->
                options
                    .append(options.length() > 0 ? " " : "")
                    .append("snat=")
                    .append(Addresses.format(a)));
    return options.length() == 0 ? "-" : options.toString();
  }

  static ObjectNode toJson(ParseResult result) {
    ObjectNode root = ForwardJson.MAPPER.createObjectNode();
    root.put("source", result.table().source());
    root.put("valid", !result.hasErrors());
    ArrayNode forwards = root.putArray("forwards");
    for (Forward forward : result.table().forwards()) {
      forwards.add(ForwardJson.forward(forward));
    }
    ArrayNode diagnostics = root.putArray("diagnostics");
    for (Diagnostic diagnostic : result.diagnostics()) {
      diagnostics.add(ForwardJson.diagnostic(diagnostic));
    }
    return root;
  }

  /**
   * The JSON of a table that could not be read at all, in the shape of {@link #toJson}: not valid,
   * no forwards, and the read failure as its one error, at line 0 and column 0 since it has no
   * place in the text.
   */
  static ObjectNode unreadableJson(String location, String message) {
    String source = TableReader.STDIN.equals(location) ? "<stdin>" : location;
    ObjectNode root = ForwardJson.MAPPER.createObjectNode();
    root.put("source", source);
    root.put("valid", false);
    root.putArray("forwards");
    ObjectNode error = root.putArray("diagnostics").addObject();
    error.put("file", source);
    error.put("line", 0);
    error.put("column", 0);
    error.put("severity", Severity.ERROR.label());
    error.put("message", message);
    return root;
  }
}
