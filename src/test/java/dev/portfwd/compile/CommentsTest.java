package dev.portfwd.compile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CommentsTest {

  /** The character-by-character definition fit must keep to, whatever shortcut it takes. */
  private static String reference(String description, int maxBytes, char quoteReplacement) {
    StringBuilder safe = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < description.length(); ) {
      int cp = description.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '"') {
        cp = quoteReplacement;
      } else if (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029) {
        cp = ' ';
      }
      String ch = new String(Character.toChars(cp));
      int size = ch.getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > maxBytes) {
        break;
      }
      safe.append(ch);
      bytes += size;
    }
    return safe.toString().strip();
  }

  @Property(tries = 2000)
  void fitsLikeTheDefinition(@ForAll("descriptions") String description) {
    assertThat(Comments.fit(description, 128, '\'')).isEqualTo(reference(description, 128, '\''));
    assertThat(Comments.fit(description, 16, '"')).isEqualTo(reference(description, 16, '"'));
  }

  @Provide
  Arbitrary<String> descriptions() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(140),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(140),
        Arbitraries.strings().withChars(" ab\"\t\u007f\u0085é€\u2028").ofMaxLength(140),
        Arbitraries.strings().all().ofMaxLength(70));
  }
}
