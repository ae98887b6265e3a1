package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class NftTextTest {

  @Property
  void commentCanNeverEndTheStringOrSpanLines(@ForAll String description) {
    String comment = NftText.comment(description);
    assertThat(comment).doesNotContain("\"").doesNotContain("\n").doesNotContain("\r");
    assertThat(comment.chars()).noneMatch(Character::isISOControl);
    assertThat(comment.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(NftText.COMMENT_MAX_BYTES);
  }

  @Test
  void replacesDoubleQuotesAndKeepsEverythingElse() {
    assertThat(NftText.comment("a \"b\" ;{}\\ é")).isEqualTo("a 'b' ;{}\\ é");
  }

  @Test
  void cutsAt128BytesWithoutSplittingACharacter() {
    String comment = NftText.comment("é".repeat(100));
    assertThat(comment).isEqualTo("é".repeat(64));
    assertThat(NftText.comment("x" + "🚀".repeat(40))).isEqualTo("x" + "🚀".repeat(31));
  }
}
