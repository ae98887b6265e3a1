package dev.portfwd.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlFramesTest {

  private static ByteArrayInputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aLineRoundTripsEveryKindOfValue() throws IOException {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("portfwd", 1);
    fields.put("argv", List.of("apply", "t \"x\".txt", "\u001b]0;"));
    fields.put("colour", true);
    fields.put("out", "line one\nline two\n");
    byte[] line = ControlFrames.line(fields);

    assertThat(new String(line, StandardCharsets.UTF_8)).endsWith("}\n").doesNotContain("\u001b");
    ControlFrames.Frame frame = ControlFrames.read(new ByteArrayInputStream(line)).orElseThrow();
    assertThat(frame.number("portfwd")).contains(1L);
    assertThat(frame.strings("argv")).contains(List.of("apply", "t \"x\".txt", "\u001b]0;"));
    assertThat(frame.flag("colour")).isTrue();
    assertThat(frame.string("out")).contains("line one\nline two\n");
  }

  @Test
  void theEndOfTheStreamIsNoFrame() throws IOException {
    assertThat(ControlFrames.read(stream(""))).isEmpty();
  }

  @Test
  void garbageIsRefusedWithAReason() {
    for (String garbage :
        List.of(
            "hello\n",
            "[1,2]\n",
            "{\"a\":{\"b\":1}}\n",
            "{\"a\":[1]}\n",
            "{\"a\":1} x\n",
            "{\"a\"\n")) {
      assertThatThrownBy(() -> ControlFrames.read(stream(garbage)))
          .as(garbage)
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("malformed control line");
    }
  }

  @Test
  void aLineLongerThanTheLimitIsRefusedWithoutReadingItAll() {
    CountingStream endless = new CountingStream();
    assertThatThrownBy(() -> ControlFrames.read(endless))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("longer than");
    assertThat(endless.read).isLessThanOrEqualTo(ControlFrames.MAX_LINE + 1L);
  }

  @Test
  void aLineCutShortIsAnError() {
    assertThatThrownBy(() -> ControlFrames.read(stream("{\"out\":\"x\"}")))
        .hasMessageContaining("ended inside a line");
  }

  /** An input of endless 'x' that counts what was read. */
  private static final class CountingStream extends java.io.InputStream {
    long read;

    @Override
    public int read() {
      read++;
      return 'x';
    }
  }
}
