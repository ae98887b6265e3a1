package dev.portfwd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.testing.KernelAccess;
import dev.portfwd.testing.PortfwdJar;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code portfwd demo} as README's first command runs it: answered, and nothing left behind. */
class DemoIT {

  @Test
  void demoShowsTheRequestFailingThenAnsweredAndLeavesNothing() throws Exception {
    KernelAccess.require();
    CommandResult demo = PortfwdJar.run("", "demo");
    assertThat(demo.exitCode()).as(demo.stdout() + demo.stderr()).isZero();
    assertThat(demo.stdout())
        .contains("failed: connection refused")
        .contains("+ 8080/tcp → 192.0.2.2:80")
        .contains("answered: HTTP/1.1 200 OK: hello from the backend; you came from 192.0.2.1")
        .contains("8080/tcp  192.0.2.2:80")
        .contains("nothing of the demo is left");
    String namespaces = new ProcessCommandRunner().run(List.of("ip", "netns", "list")).stdout();
    assertThat(namespaces).doesNotContain("pfdemo-");
  }
}
