package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class HeaderJsonTest {

  private static final ObjectMapper JACKSON = new ObjectMapper();

  @Property(tries = 500)
  void writesWhatJacksonWrote(
      @ForAll("texts") String text, @ForAll("texts") String other, @ForAll long number) {
    ObjectNode jackson = JACKSON.createObjectNode();
    jackson.put("source", text);
    jackson.put("n", number);
    jackson.putArray("on").add(other).add(text);
    String ours =
        new HeaderJson()
            .put("source", text)
            .put("n", number)
            .put("on", List.of(other, text))
            .toString();
    assertThat(ours).isEqualTo(jackson.toString());
  }

  @Property(tries = 500)
  void readsBackWhatItWrote(@ForAll("texts") String text, @ForAll long number) throws Exception {
    String json =
        new HeaderJson().put("source", text).put("n", number).put("on", List.of(text)).toString();
    Map<?, ?> parsed = (Map<?, ?>) HeaderJson.parse(json);
    JsonNode jackson = JACKSON.readTree(json);
    assertThat(HeaderJson.asText(parsed.get("source")))
        .isEqualTo(jackson.get("source").asText())
        .isEqualTo(text);
    assertThat(HeaderJson.asLong(parsed.get("n")))
        .isEqualTo(jackson.get("n").asLong())
        .isEqualTo(number);
    assertThat(new ArrayList<Object>(HeaderJson.elements(parsed.get("on")))).containsExactly(text);
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(12),
        Arbitraries.strings().withChars("ab\"\\/\n\t\u0000\u001f\u007f\u2028é€").ofMaxLength(12));
  }

  @Test
  void readsJsonItDidNotWrite() {
    Object value =
        HeaderJson.parse(
            " { \"a\" : [1, -2.5e3, true, false, null, \"x\\u00e9\\/\"], \"b\": {\"c\": \"7\"} } ");
    Map<?, ?> map = (Map<?, ?>) value;
    List<Object> a = new ArrayList<>(HeaderJson.elements(map.get("a")));
    assertThat(a).containsExactly(1L, -2500.0, true, false, null, "xé/");
    assertThat(new ArrayList<Object>(HeaderJson.elements(map.get("b")))).containsExactly("7");
    assertThat(HeaderJson.asLong("7")).isEqualTo(7);
    assertThat(HeaderJson.asText(map.get("b"))).isEmpty();
  }

  @Test
  void rejectsWhatIsNotOneJsonValue() {
    for (String bad :
        List.of(
            "",
            "{",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "[1 2]",
            "\"open",
            "01",
            "{\"a\":1} x",
            "tru",
            "\"\\q\"",
            "{'a':1}")) {
      assertThatThrownBy(() -> HeaderJson.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
