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
}
