package dev.portfwd.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * However bad a table, what is shown of its problems stays short, and what is counted stays true.
 */
class DiagnosticLimitsTest {

  @Test
  void aLineShowsTenDiagnosticsAndANoteCountingTheRest() {
    // The reproducer of issue 12: 19,998 errors, each echoing a 40 KB line, wrote 1.2 GB.
    String line = "2 ".repeat(20_000).strip();

    ParseResult result = TableParser.parse("t", line + "\n");

    assertThat(result.errorCount()).isEqualTo(19_998);
    assertThat(result.errors()).hasSize(LineCap.MAX_PER_LINE);
    assertThat(result.diagnostics()).hasSize(LineCap.MAX_PER_LINE + 1);
    Diagnostic note = result.diagnostics().get(LineCap.MAX_PER_LINE);
    assertThat(note.severity()).isEqualTo(Severity.NOTE);
    assertThat(note.message())
        .isEqualTo("… and 19,988 more errors on this line (at most 10 per line are shown)");
    // The first ten by place are shown, the note points at the first one left out.
    assertThat(result.errors())
        .extracting(Diagnostic::column)
        .containsExactly(3, 7, 9, 11, 13, 15, 17, 19, 21, 23);
    assertThat(note.column()).isEqualTo(25);
    int printed = result.diagnostics().stream().mapToInt(d -> d.render().length()).sum();
    assertThat(printed).isLessThan(4_000);
  }

  @Test
  void aTableShowsTwoHundredDiagnosticsAndANoteCountingTheRest() {
    String table = "2 2\n".repeat(1_000);

    ParseResult result = TableParser.parse("t", table);

    assertThat(result.errorCount()).isEqualTo(1_000);
    assertThat(result.diagnostics()).hasSize(ShownDiagnostics.MAX_SHOWN + 1);
    assertThat(result.errors()).extracting(Diagnostic::line).startsWith(1, 2, 3).endsWith(200);
    Diagnostic note = result.diagnostics().get(ShownDiagnostics.MAX_SHOWN);
    assertThat(note.line()).isEqualTo(201);
    assertThat(note.message())
        .isEqualTo(
            "… and 800 more errors from here on are not shown (at most 200 diagnostics per table)");
  }

  @Test
  void errorsPastTheLimitStillMakeTheTableInvalid() {
    StringBuilder table = new StringBuilder();
    for (int port = 1001; port <= 1300; port++) {
      table.append(port).append(" 127.0.0.1\n"); // a warning each: a loopback backend
    }
    table.append("70000 192.0.2.2\n");

    ParseResult result = TableParser.parse("t", table.toString());

    assertThat(result.errors()).isEmpty();
    assertThat(result.warningCount()).isEqualTo(300);
    assertThat(result.errorCount()).isEqualTo(1);
    assertThat(result.hasErrors()).isTrue();
    assertThat(result.diagnostics().get(ShownDiagnostics.MAX_SHOWN).message())
        .startsWith("… and 1 more error and 100 more warnings from here on");
  }

  @Test
  void aLineClashingWithManyShowsTenClashesAndCountsTheRest() {
    StringBuilder table = new StringBuilder();
    for (int port = 1001; port <= 1050; port++) {
      table.append(port).append(" 192.0.2.2\n");
    }
    table.append("1001-1100 192.0.2.3\n");

    ParseResult result = TableParser.parse("t", table.toString());

    assertThat(result.errorCount()).isEqualTo(50);
    assertThat(result.errors()).hasSize(10).allSatisfy(d -> assertThat(d.line()).isEqualTo(51));
    assertThat(result.errors())
        .extracting(Diagnostic::message)
        .allSatisfy(m -> assertThat(m).contains("is already forwarded by line"));
    assertThat(result.diagnostics().get(10).message())
        .isEqualTo("… and 40 more errors on this line (at most 10 per line are shown)");
  }

  @Test
  void aMessageQuotesAtMostFortyCharactersOfAColumn() {
    String backend = "x".repeat(10_000);

    List<Diagnostic> diagnostics = TableParser.parse("t", "80 " + backend + "\n").diagnostics();

    assertThat(diagnostics).singleElement();
    assertThat(diagnostics.get(0).message())
        .isEqualTo(
            "expected the backend's IP address or host name, found '"
                + "x".repeat(LineDiagnostics.QUOTED_CHARS)
                + "…'; a name has letters, digits, hyphens and dots only");
  }

  @Test
  void aHugeUnknownWordGetsNoHintAndCostsLittle() {
    String word = "masquerad".repeat(100_000);

    long start = System.nanoTime();
    List<Diagnostic> diagnostics =
        TableParser.parse("t", "80 192.0.2.2 " + word + "=x\n").diagnostics();

    assertThat(diagnostics).singleElement();
    assertThat(diagnostics.get(0).message()).doesNotContain("did you mean");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
  }
}
