package dev.portfwd.table;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DiagnosticTest {

  @Test
  void rendersPlaceSourceLineAndCaret() {
    Diagnostic diagnostic =
        new Diagnostic("ports.txt", 3, 7, Severity.ERROR, "bad", "13102 172.16.0.300 80");

    assertThat(diagnostic.render())
        .isEqualTo("ports.txt:3:7: error: bad\n13102 172.16.0.300 80\n      ^");
  }

  @Test
  void keepsTabsSoTheCaretStaysUnderTheColumn() {
    Diagnostic diagnostic = new Diagnostic("t", 1, 5, Severity.WARNING, "w", "80\t\tx");

    assertThat(diagnostic.render()).endsWith("80\t\tx\n  \t\t^");
  }

  @Test
  void pointsPastTheEndForMissingColumns() {
    assertThat(new Diagnostic("t", 1, 4, Severity.ERROR, "m", "80").render())
        .endsWith("\n80\n   ^");
  }

  @Test
  void escapesControlCharactersAndKeepsTheCaretUnderTheColumn() {
    String line = "80 192.0.2.2 # \u001b]0;pwned\u0007 \u202eevil";
    int column = line.indexOf('e', line.indexOf('\u202e')) + 1;

    String[] rendered =
        new Diagnostic("t", 1, column, Severity.ERROR, "m", line).render().split("\n");

    assertThat(rendered[1]).isEqualTo("80 192.0.2.2 # \\x1b]0;pwned\\x07 \\u202eevil");
    assertThat(rendered[2].indexOf('^')).isEqualTo(rendered[1].indexOf("evil"));
    assertThat(String.join("\n", rendered)).doesNotContain("\u001b", "\u0007", "\u202e");
  }

  @Test
  void escapesTheFileNameAndTheMessage() {
    Diagnostic diagnostic =
        new Diagnostic("a\u001b[2Jb", 1, 1, Severity.ERROR, "found '\u2066x\u2069'", "x");

    assertThat(diagnostic.headline()).isEqualTo("a\\x1b[2Jb:1:1: error: found '\\u2066x\\u2069'");
  }

  @Test
  void cutsALongLineAroundTheColumn() {
    String line = "2 ".repeat(20_000);
    int column = 20_001;

    String[] rendered =
        new Diagnostic("t", 1, column, Severity.ERROR, "m", line).render().split("\n");

    assertThat(rendered[1]).startsWith("…").endsWith("…");
    assertThat(rendered[1].length()).isLessThanOrEqualTo(Diagnostic.SHOWN_LINE_CHARS + 2);
    int caret = rendered[2].indexOf('^');
    // The caret stands under the character at the column: the '2' at index 20,000 of the line.
    assertThat(rendered[1].charAt(caret)).isEqualTo('2');
    assertThat(caret).isGreaterThan(40);
  }

  @Test
  void cutsALongLineAtItsEndForAColumnNearTheEnd() {
    String line = "x".repeat(10_000) + " y";

    String[] rendered =
        new Diagnostic("t", 1, line.length(), Severity.ERROR, "m", line).render().split("\n");

    assertThat(rendered[1]).startsWith("…x").endsWith(" y");
    assertThat(rendered[1].charAt(rendered[2].indexOf('^'))).isEqualTo('y');
  }
}
