package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.LiveForward;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.engine.LiveStatus;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.PortRange;
import dev.portfwd.model.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code portfwd status} as text: what the kernel holds, safe to show on a terminal. */
class StatusCommandTest {

  @Test
  void escapesControlBidiAndZeroWidthCharactersInDescriptions() throws Exception {
    // A description comes back from a kernel comment, which anyone with root may have written.
    LiveForward forward =
        new LiveForward(
            new CompiledForward(
                IpFamily.IPV4,
                Optional.empty(),
                Protocol.TCP,
                PortRange.of(443),
                InetAddress.getByName("192.0.2.2"),
                PortRange.of(443),
                List.of(),
                true,
                "web\u001b]0;pwned\u0007 \u202eevil\u2069\u200b\u009b"),
            10,
            1000,
            2);

    String text =
        StatusCommand.text("nftables", new LiveStatus(List.of(forward), Optional.empty()));

    assertThat(text)
        .contains("web\\x1b]0;pwned\\x07 \\u202eevil\\u2069\\u200b\\x9b")
        .doesNotContain("\u001b", "\u0007", "\u202e", "\u2069", "\u200b", "\u009b");
    // The columns stay aligned: the header's DESCRIPTION starts where the escaped text does.
    List<String> lines = text.lines().toList();
    assertThat(lines.get(1).indexOf("web")).isEqualTo(lines.get(0).indexOf("DESCRIPTION"));
  }

  @Test
  void saysOnceBelowTheTableWhyConnectionsAreUnknown() throws Exception {
    LiveForward unknown = forward(13102, -1);
    String why = "conntrack is not installed; install it: apt-get install conntrack";

    String text =
        StatusCommand.text(
            "nftables", new LiveStatus(List.of(unknown, forward(13103, -1)), Optional.of(why)));

    assertThat(text.lines().filter(l -> l.contains(" ? "))).hasSize(2);
    assertThat(text).endsWith("? " + why + "\n");
    assertThat(text.split("apt-get install conntrack", -1)).hasSize(2);
    assertThat(
            StatusCommand.toJson("nftables", new LiveStatus(List.of(unknown), Optional.of(why)))
                .get("connectionsUnknown")
                .asText())
        .isEqualTo(why);
  }

  @Test
  void addsNoFootnoteWhenEveryCountIsKnown() throws Exception {
    String text =
        StatusCommand.text(
            "nftables", new LiveStatus(List.of(forward(13102, 3)), Optional.of("unused")));

    assertThat(text).doesNotContain("?", "unused");
  }

  @Test
  void showsEachBackendsShareOfASpreadForwardBelowItInTextAndJson() throws Exception {
    CompiledForward spread =
        dev.portfwd.compile.Compiler.compile(
                dev.portfwd.table.TableParser.parse(
                        "t", "13102 192.0.2.2,192.0.2.18 80 tcp balance=roundrobin\n")
                    .table())
            .forwards()
            .get(0);
    LiveForward live =
        new LiveForward(
            spread,
            30,
            3000,
            -1,
            List.of(
                new LiveForward.BackendCounter(InetAddress.getByName("192.0.2.2"), 10, 1000),
                new LiveForward.BackendCounter(InetAddress.getByName("192.0.2.18"), 20, 2000)));
    LiveStatus status = new LiveStatus(List.of(live), Optional.empty());

    List<String> lines = StatusCommand.text("nftables", status).lines().toList();

    assertThat(lines.get(1)).contains("192.0.2.2:80,192.0.2.18:80 roundrobin").contains(" 30 ");
    assertThat(lines.get(2)).contains("  192.0.2.2:80").contains(" 10 ").contains(" 1000");
    assertThat(lines.get(3)).contains("  192.0.2.18:80").contains(" 20 ").contains(" 2000");
    var json = StatusCommand.toJson("nftables", status).get("forwards").get(0);
    assertThat(json.get("balance").asText()).isEqualTo("roundrobin");
    assertThat(json.get("backends").toString())
        .isEqualTo(
            "[{\"address\":\"192.0.2.2\",\"packets\":10,\"bytes\":1000},"
                + "{\"address\":\"192.0.2.18\",\"packets\":20,\"bytes\":2000}]");
  }

  private static LiveForward forward(int port, long connections) throws Exception {
    return new LiveForward(
        new CompiledForward(
            IpFamily.IPV4,
            Optional.empty(),
            Protocol.TCP,
            PortRange.of(port),
            InetAddress.getByName("192.0.2.2"),
            PortRange.of(80),
            List.of(),
            true,
            "web"),
        10,
        1000,
        connections);
  }

  @Test
  void saysHowOldAnEarlierReadIsAndNothingForOneMadeForThisRequest() {
    assertThat(StatusCommand.age(Duration.ofMillis(-40))).isEmpty();
    assertThat(StatusCommand.age(Duration.ZERO)).isEmpty();
    assertThat(StatusCommand.age(Duration.ofMillis(120)))
        .isEqualTo(
            "counters as the service read them 120 ms ago ('status --fresh' reads them now)\n");
    assertThat(StatusCommand.age(Duration.ofMillis(1_440)))
        .startsWith("counters as the service read them 1.4 s ago");
  }
}
