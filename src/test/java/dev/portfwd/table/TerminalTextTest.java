package dev.portfwd.table;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TerminalTextTest {

  @Test
  void escapesAnOperatingSystemCommandThatWouldSetTheTerminalTitle() {
    assertThat(TerminalText.escape("web \u001b]0;pwned\u0007 site"))
        .isEqualTo("web \\x1b]0;pwned\\x07 site");
  }

  @ParameterizedTest(name = "U+{0}")
  @CsvSource({
    "0000, \\x00",
    "0009, \\x09",
    "000a, \\x0a",
    "000d, \\x0d",
    "007f, \\x7f",
    "0085, \\x85",
    "009b, \\x9b",
    "200b, \\u200b",
    "200d, \\u200d",
    "200e, \\u200e",
    "200f, \\u200f",
    "2028, \\u2028",
    "2029, \\u2029",
    "202a, \\u202a",
    "202e, \\u202e",
    "2060, \\u2060",
    "2066, \\u2066",
    "2069, \\u2069",
    "feff, \\ufeff",
    "d800, \\ud800",
    "e0041, \\U000e0041"
  })
  void escapesControlsBidiAndInvisibleCharacters(String hex, String escaped) {
    String c = Character.toString(Integer.parseInt(hex, 16));

    assertThat(TerminalText.escape("a" + c + "b")).isEqualTo("a" + escaped + "b");
  }

  @Test
  void keepsOtherScriptsSymbolsAndSurrogatePairs() {
    String text = "Café ☕ 日本語 שלום مرحبا 😀 a\\x1b";

    assertThat(TerminalText.escape(text)).isSameAs(text);
  }

  @Test
  void cutsLongTextWithAnEllipsisAndNeverSplitsASurrogatePair() {
    assertThat(TerminalText.cut("abc", 3)).isEqualTo("abc");
    assertThat(TerminalText.cut("abcd", 3)).isEqualTo("abc…");
    assertThat(TerminalText.cut("ab\ud83d\ude00", 3)).isEqualTo("ab…");
  }
}
