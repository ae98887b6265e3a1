package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.model.Forward;
import dev.portfwd.model.Protocol;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeCheckTest {

  private final Forward forward = Facts.table("13102 192.0.2.2 80\n").forwards().get(0);

  private static CommandResult socat(int exit, String stderr) {
    return new CommandResult(List.of("socat"), exit, "", stderr);
  }

  @Test
  void classifiesWhatSocatAndTimeoutSay() {
    assertThat(Prober.classify(socat(0, ""))).isEqualTo(ProbeResult.Outcome.OK);
    assertThat(
            Prober.classify(
                socat(
                    1,
                    "2026/11/25 socat[5145] E connect(6, AF=2 192.0.2.1:80, 16): Connection refused")))
        .isEqualTo(ProbeResult.Outcome.REFUSED);
    assertThat(
            Prober.classify(
                socat(1, "socat[5146] E connecting to AF=2 192.0.2.9:80: Connection timed out")))
        .isEqualTo(ProbeResult.Outcome.TIMED_OUT);
    assertThat(Prober.classify(socat(1, "E connect(...): No route to host")))
        .isEqualTo(ProbeResult.Outcome.UNREACHABLE);
    assertThat(Prober.classify(new CommandResult(List.of("timeout"), 124, "", "")))
        .isEqualTo(ProbeResult.Outcome.TIMED_OUT);
  }

  @Test
  void refusedIsAnErrorAndOkIsInformationWithTheTime() {
    List<Finding> findings =
        ProbeCheck.findings(
            List.of(
                new ProbeResult(
                    forward,
                    Protocol.TCP,
                    80,
                    ProbeResult.Outcome.REFUSED,
                    Duration.ofMillis(4),
                    ""),
                new ProbeResult(
                    forward, Protocol.TCP, 80, ProbeResult.Outcome.OK, Duration.ofMillis(3), "")),
            "ports.txt");
    assertThat(findings.get(0).severity()).isEqualTo(FindingSeverity.ERROR);
    assertThat(findings.get(0).what()).contains("192.0.2.2:80/tcp refused");
    assertThat(findings.get(1).severity()).isEqualTo(FindingSeverity.INFO);
    assertThat(findings.get(1).what()).contains("in 3 ms");
  }

  @Test
  void udpIsNeverClaimedToWork() {
    assertThat(
            ProbeCheck.findings(
                List.of(
                    new ProbeResult(
                        forward,
                        Protocol.UDP,
                        80,
                        ProbeResult.Outcome.UNPROVABLE,
                        Duration.ZERO,
                        "")),
                "t"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.INFO);
              assertThat(f.what()).contains("cannot be proven");
            });
  }
}
