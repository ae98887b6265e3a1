package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class DoctorReportTest {

  private final ForwardTable table =
      Facts.table("13102 192.0.2.2 80 # Netbook\n13103 192.0.2.3 80 # D800\n");
  private final Forward first = table.forwards().get(0);
  private final Forward second = table.forwards().get(1);

  private DoctorReport report() {
    return new DoctorReport(
        table,
        List.of(
            Finding.about(
                first, FindingSeverity.INFO, "backend-route", "first is routed", "", "", ""),
            Finding.about(second, FindingSeverity.WARNING, "x", "second warns", "", "", ""),
            Finding.about(
                second, FindingSeverity.ERROR, "y", "second fails", "because", "do this", ""),
            Finding.host(FindingSeverity.INFO, "not-inspected", "no conntrack", "", "", "")));
  }

  @Test
  void groupsWithErrorsComeFirstAndErrorsLeadEachGroup() {
    List<DoctorReport.Group> groups = report().groups();
    assertThat(groups)
        .extracting(g -> g.forward().map(Forward::line).orElse(0))
        .containsExactly(2, 0, 1);
    assertThat(groups.get(0).findings())
        .extracting(Finding::what)
        .containsExactly("second fails", "second warns");
  }

  @Test
  void warningsAndInformationAloneAreNotErrors() {
    assertThat(report().hasErrors()).isTrue();
    assertThat(
            new DoctorReport(
                    table,
                    List.of(Finding.about(second, FindingSeverity.WARNING, "x", "w", "", "", "")))
                .hasErrors())
        .isFalse();
  }

  @Test
  void textNamesTheForwardAndHasNoColourUnlessAsked() {
    String text = ReportPrinter.text(report(), false);
    assertThat(text).startsWith("portfwd doctor: 1 error, 1 warning (ports.txt, 2 forwards)");
    assertThat(text)
        .isEqualTo(
            """
            portfwd doctor: 1 error, 1 warning (ports.txt, 2 forwards)

            line 2: 13103/tcp,udp → 192.0.2.3:80  D800
              error   second fails
                      why: because
                      fix: do this
              warning second warns

            host
              info    no conntrack

            line 1: 13102/tcp,udp → 192.0.2.2:80  Netbook
              info    first is routed
            """);
    assertThat(text).doesNotContain("\u001b[");
    assertThat(ReportPrinter.text(report(), true)).contains("\u001b[1;31merror");
  }

  @Test
  void forwardingOffReadsWithTheFixForNowAndTheOneThatSurvivesABoot() {
    Facts facts = Facts.healthy(table);
    facts.sysctls.put("net.ipv4.ip_forward", "0");
    DoctorReport report =
        new DoctorReport(table, new ForwardingSysctlCheck().check(table, facts.build()));

    assertThat(ReportPrinter.text(report, false))
        .isEqualTo(
            """
            portfwd doctor: 1 error, 0 warnings (ports.txt, 2 forwards)

            host
              error   IPv4 forwarding is off (net.ipv4.ip_forward = 0); the 2 forwards on lines 1, 2 need it
                      why: the kernel rewrites the destination to the backend and then refuses to route \
            the packet on: it is dropped without a word
                      fix: sysctl -w net.ipv4.ip_forward=1
                      note: that lasts until the next boot; to keep it: printf '%s\\n' \
            net.ipv4.ip_forward=1 > /etc/sysctl.d/90-portfwd-ipv4-forwarding.conf (or, with the \
            Debian package: ln -s /usr/share/portfwd/90-portfwd-forwarding.conf /etc/sysctl.d/); \
            'portfwd apply' switches it on unless given --no-sysctl
            """);
  }

  @Test
  void textEscapesWhatItDidNotWriteItselfButKeepsItsOwnColours() {
    // An installed forward's description comes from a kernel comment; findings quote other tools.
    Forward installed =
        new Forward(
            3,
            first.externalAddress(),
            first.externalPorts(),
            first.backend(),
            first.backendPorts(),
            first.protocols(),
            first.allowedSources(),
            true,
            first.proxyProtocol(),
            "web\u001b]0;pwned\u0007 \u202eevil\u200b");
    DoctorReport report =
        new DoctorReport(
            new ForwardTable("ports\u001b[2J.txt", List.of(installed)),
            List.of(
                Finding.about(
                    installed,
                    FindingSeverity.ERROR,
                    "x",
                    "rule \u001b[31mfoo\u2066",
                    "why \u009b",
                    "fix \u0007",
                    "note \ufeff")));

    String text = ReportPrinter.text(report, true);

    assertThat(text)
        .contains("(ports\\x1b[2J.txt, 1 forward)")
        .contains("web\\x1b]0;pwned\\x07 \\u202eevil\\u200b")
        .contains("rule \\x1b[31mfoo\\u2066")
        .contains("why: why \\x9b", "fix: fix \\x07", "note: note \\ufeff")
        .doesNotContain("\u0007", "\u202e", "\u200b", "\u2066", "\u009b", "\ufeff");
    // Only portfwd's own colour codes reach the terminal.
    assertThat(text.replace("\u001b[1;31m", "").replace("\u001b[1m", "").replace("\u001b[0m", ""))
        .doesNotContain("\u001b");
  }

  @Test
  void jsonListsFindingsWithTheirForwardOrNullForTheHost() {
    JsonNode json = ReportPrinter.json(report());
    assertThat(json.get("ok").asBoolean()).isFalse();
    assertThat(json.get("errors").asInt()).isEqualTo(1);
    JsonNode findings = json.get("findings");
    assertThat(findings.get(0).get("forward").get("line").asInt()).isEqualTo(2);
    assertThat(findings.get(0).get("fix").asText()).isEqualTo("do this");
    assertThat(findings.get(2).get("forward").isNull()).isTrue();
  }

  @Test
  void jsonGivesTheBackendColumnAsWrittenWhileANameInItIsUnresolved() {
    ForwardTable named = Facts.table("13108 192.0.2.8,nohost.test 80 tcp\n");
    Forward unresolved = named.forwards().get(0);
    DoctorReport report =
        new DoctorReport(
            named,
            List.of(
                Finding.about(
                    unresolved,
                    FindingSeverity.ERROR,
                    "backend-pool",
                    "backend name nohost.test does not resolve",
                    "",
                    "",
                    "")));

    JsonNode forward = ReportPrinter.json(report).get("findings").get(0).get("forward");

    assertThat(forward.get("backend").asText()).isEqualTo("192.0.2.8,nohost.test");
    assertThat(forward.get("line").asInt()).isEqualTo(1);
  }
}
