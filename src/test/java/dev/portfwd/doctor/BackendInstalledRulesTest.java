package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.compile.Compiler;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.state.FakeBackend;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class BackendInstalledRulesTest {

  @Test
  void theInstalledForwardsKeepTheirSnatAddress() throws Exception {
    // doctor --ha without a table checks these: every forward must carry the virtual address.
    ForwardTable table =
        Facts.table("13102 192.0.2.2 80 tcp snat=192.0.2.254 # web\n13103 192.0.2.3 80 udp\n");
    FakeBackend backend = new FakeBackend();
    backend.installed = Compiler.compile(table);

    ForwardTable installed = new BackendInstalledRules(backend).installedForwards();

    assertThat(installed.forwards())
        .extracting(Forward::snat)
        .containsExactly(
            java.util.Optional.of(InetAddress.getByName("192.0.2.254")),
            java.util.Optional.empty());
  }
}
