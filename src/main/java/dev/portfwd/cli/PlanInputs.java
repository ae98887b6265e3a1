package dev.portfwd.cli;

import dev.portfwd.table.TableReader;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code plan} and {@code apply} both start from: the table, the backend, the state directory
 * and whether the record of the last apply may stand in for listing the kernel.
 */
final class PlanInputs {

  @Mixin BackendOption backend;

  @Option(
      names = "--reread",
      description =
          "Read every element of portfwd's rules from the kernel instead of trusting the record of the"
              + " last apply (which is used while the kernel proves it unchanged); sees rules edited by hand.")
  boolean reread;

  @Mixin StateOptions state;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TABLE",
      defaultValue = TableReader.DEFAULT_TABLE,
      description = "The forwarding table; '-' reads standard input (default: ${DEFAULT-VALUE}).")
  String table;

  /** The compiled table and the open kernel session, as {@code invocation} provides them. */
  PreparedSession prepare(Invocation invocation, PrintWriter err) {
    return PreparedSession.prepare(
        () ->
            KernelSession.compile(
                BackendNames.resolveOrRefuse(
                    TableLoader.load(invocation.table(table), invocation.stdin(), err), err),
                err),
        () -> invocation.session(backend.choice));
  }
}
