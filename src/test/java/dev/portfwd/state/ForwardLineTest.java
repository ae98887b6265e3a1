package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.compile.CompiledForward;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardLineTest {

  @Test
  void readsBackEveryFieldItWrote() {
    List<CompiledForward> forwards =
        Forwards.of(
                """
        13102 192.0.2.2 80 # Netbook Apache
        198.51.100.7:8000-8009 192.0.2.3 9000-9009 tcp from=203.0.113.0/24,198.51.100.0/25 masquerade=no # a\\tb
        [2001:db8::1]:443 2001:db8:2::2 8443 udp # six
        """)
            .forwards();
    for (CompiledForward forward : forwards) {
      assertThat(ForwardLine.parse(ForwardLine.format(forward))).isEqualTo(forward);
    }
  }

  @Test
  void keepsTabsAndEmptyFieldsOfTheDescription() {
    CompiledForward forward =
        Forwards.of("13102 192.0.2.2 80").forwards().get(0).withDescription("x\ty\\\t");
    String line = ForwardLine.format(forward);
    assertThat(ForwardLine.parse(line).description()).isEqualTo("x\ty\\\t");
    CompiledForward bare = forward.withDescription("");
    assertThat(ForwardLine.format(bare)).endsWith("\tyes\t");
    assertThat(ForwardLine.parse(ForwardLine.format(bare))).isEqualTo(bare);
  }

  @Test
  void rejectsLinesWithMissingFields() {
    String line = ForwardLine.format(Forwards.of("13102 192.0.2.2 80").forwards().get(0));
    String cut = line.substring(0, line.lastIndexOf('\t'));
    assertThatThrownBy(() -> ForwardLine.parse(cut))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 9 fields");
  }
}
