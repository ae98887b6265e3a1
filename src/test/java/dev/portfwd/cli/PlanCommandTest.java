package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.state.Forwards;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanCommandTest {

  @Test
  void descriptionsReachTheTerminalEscaped() {
    DesiredState desired = Forwards.of("13102 192.0.2.2 80 tcp # web \u202egnp.exe\u200b\n");
    Plan plan = new Plan("nftables", desired, Plan.diff(List.of(), desired.forwards()), "script");
    StringWriter text = new StringWriter();

    PlanCommand.print(plan, new PrintWriter(text, true), 50);

    assertThat(text.toString())
        .contains("+ 13102/tcp")
        .doesNotContain("\u202e")
        .doesNotContain("\u200b")
        .contains("web \\u202egnp.exe\\u200b");
  }
}
