package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.pool.Resolution;
import dev.portfwd.table.Diagnostic;
import dev.portfwd.table.Severity;
import dev.portfwd.table.TableParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendNamesTest {

  @Test
  void pointsAtTheNameThatDoesNotResolveInTheLineAsWritten() {
    ForwardTable table =
        TableParser.parse(
                "ports.txt",
                "80 192.0.2.2 80 tcp\n  8080   192.0.2.3,gone.test 80 tcp balance=hash # web\n")
            .table();

    List<Diagnostic> found =
        BackendNames.diagnostics(
            BackendNames.resolve(table, (name, family) -> Resolution.failed("NXDOMAIN")),
            table.source(),
            Severity.ERROR);

    assertThat(found)
        .extracting(Diagnostic::render)
        .containsExactly(
            "ports.txt:2:20: error: backend name 'gone.test' does not resolve here (NXDOMAIN);"
                + " fix the name or its DNS record\n"
                + "  8080   192.0.2.3,gone.test 80 tcp balance=hash # web\n"
                + "                   ^");
  }
}
