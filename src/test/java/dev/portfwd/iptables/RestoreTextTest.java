package dev.portfwd.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class RestoreTextTest {

  @Test
  void quotesOnlyWordsThatNeedIt() {
    assertThat(
            RestoreText.join(
                List.of(
                    "-d",
                    "192.0.2.2/32",
                    "--comment",
                    "web",
                    "--to-destination",
                    "[2001:db8::2]:80")))
        .isEqualTo("-d 192.0.2.2/32 --comment web --to-destination [2001:db8::2]:80");
    assertThat(RestoreText.quote("Netbook \"Apache\" a\\b it's"))
        .isEqualTo("\"Netbook \\\"Apache\\\" a\\\\b it\\'s\"");
    assertThat(RestoreText.quote("")).isEqualTo("\"\"");
  }

  @Test
  void splitsSaveOutputLikeRestore() {
    assertThat(
            RestoreText.split(
                "-A X -m comment --comment \"Netbook \\\"Apache\\\" a\\\\b\" -j RETURN"))
        .containsExactly(
            "-A", "X", "-m", "comment", "--comment", "Netbook \"Apache\" a\\b", "-j", "RETURN");
  }

  @Test
  void keepsWordsAsWrittenWhereRestoreWouldSplitThem() {
    String line = "-A FORWARD -p tcp -m comment --comment \"no ssh \\\"through\\\"\" -j DROP";
    assertThat(RestoreText.splitAsWritten(line))
        .containsExactly(
            "-A",
            "FORWARD",
            "-p",
            "tcp",
            "-m",
            "comment",
            "--comment",
            "\"no ssh \\\"through\\\"\"",
            "-j",
            "DROP");
    assertThat(RestoreText.split(line))
        .containsExactly(
            "-A",
            "FORWARD",
            "-p",
            "tcp",
            "-m",
            "comment",
            "--comment",
            "no ssh \"through\"",
            "-j",
            "DROP");
  }

  @Test
  void blanksSeparateWordsOnlyOutsideQuotes() {
    assertThat(RestoreText.split("  -A\tX  --comment \"a  b\"\"\" -j RETURN "))
        .containsExactly("-A", "X", "--comment", "a  b", "-j", "RETURN");
    assertThat(RestoreText.splitAsWritten("  -A\tX  --comment \"a  b\"\"\" -j RETURN "))
        .containsExactly("-A", "X", "--comment", "\"a  b\"\"\"", "-j", "RETURN");
    assertThat(RestoreText.split("--comment \"\"")).containsExactly("--comment", "");
  }

  @Test
  void backslashEscapesOnlyInsideQuotesAsInIptablesRestore() {
    assertThat(RestoreText.split("--comment a\\b \"c\\d\""))
        .containsExactly("--comment", "a\\b", "cd");
  }

  @Test
  void aQuoteLeftOpenFailsSplitButRunsToTheEndAsWritten() {
    assertThatThrownBy(() -> RestoreText.split("-A X --comment \"open -j RETURN"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(RestoreText.splitAsWritten("-A X --comment \"open -j RETURN"))
        .containsExactly("-A", "X", "--comment", "\"open -j RETURN");
  }

  @Property
  void anyCommentSurvivesQuotingAndSplitting(@ForAll String description) {
    String comment = RestoreText.comment(description);
    List<String> words =
        RestoreText.split("-A X --comment " + RestoreText.quote(comment) + " -j RETURN");

    assertThat(words).hasSize(6);
    assertThat(words.get(3)).isEqualTo(comment);
    assertThat(comment).doesNotContain("\n", "\r");
  }

  @Test
  void cutsCommentsToTheKernelLimitWithoutSplittingCharacters() {
    String cut = RestoreText.comment("ü".repeat(200));
    assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSize(254);
    assertThat(RestoreText.comment("a\nb\tc ")).isEqualTo("a b c");
  }
}
