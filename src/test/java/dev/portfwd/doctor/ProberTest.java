package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProberTest {

  @Test
  void connectsToEachTcpBackendWithSocatAndABoundedTimeout() {
    FakeRunner runner =
        new FakeRunner(Set.of("socat"))
            .answer("socat -T2 /dev/null TCP4:192.0.2.2:80,connect-timeout=2", "")
            .answer(
                "socat -T2 /dev/null TCP6:[2001:db8:2::2]:443,connect-timeout=2",
                1,
                "",
                "2026/11/25 04:00:03 socat[5145] E connect(6, AF=10 [2001:db8:2::2]:443, 28): Connection refused");
    ForwardTable table = Facts.table("13102 192.0.2.2 80 tcp\n13443 2001:db8:2::2 443 tcp\n");
    List<ProbeResult> results = new Prober(runner, Duration.ofSeconds(2)).probe(table);
    assertThat(results)
        .extracting(ProbeResult::outcome)
        .containsExactly(ProbeResult.Outcome.OK, ProbeResult.Outcome.REFUSED);
    assertThat(results.get(1).detail()).startsWith("connect(6").endsWith("Connection refused");
  }

  @Test
  void udpBackendsAreNotProbed() {
    FakeRunner runner = new FakeRunner(Set.of("socat"));
    List<ProbeResult> results =
        new Prober(runner, Duration.ofSeconds(2)).probe(Facts.table("13110 192.0.2.2 udp\n"));
    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.protocol()).isEqualTo(Protocol.UDP);
              assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.UNPROVABLE);
            });
    assertThat(runner.ran).isEmpty();
  }

  @Test
  void fallsBackToBashDevTcpUnderTimeout() {
    FakeRunner runner =
        new FakeRunner(Set.of("bash", "timeout"))
            .answer("timeout 3 bash -c exec 3<>/dev/tcp/192.0.2.2/80", 124, "", "");
    List<ProbeResult> results =
        new Prober(runner, Duration.ofSeconds(3)).probe(Facts.table("13102 192.0.2.2 80 tcp\n"));
    assertThat(results)
        .singleElement()
        .satisfies(r -> assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.TIMED_OUT));
  }

  @Test
  void probesAtMostABoundedNumberOfBackends() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Prober.MAX_PROBES + 5; i++) {
      text.append(10000 + i).append(" 192.0.2.2 80 tcp\n");
    }
    FakeRunner runner =
        new FakeRunner(Set.of("socat"))
            .answer("socat -T1 /dev/null TCP4:192.0.2.2:80,connect-timeout=1", 0, "", "");
    List<ProbeResult> results =
        new Prober(runner, Duration.ofSeconds(1)).probe(Facts.table(text.toString()));
    assertThat(runner.ran).hasSize(Prober.MAX_PROBES);
    assertThat(results).hasSize(Prober.MAX_PROBES + 5);
    assertThat(results.get(results.size() - 1).detail()).contains("not probed");
  }
}
