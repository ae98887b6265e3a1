package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.Protocol;
import dev.portfwd.table.TableParser;
import java.net.BindException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BindErrorsTest {

  private final Route route =
      RelayPlan.routes(
              TableParser.parse("t", "\n\n80 192.0.2.2 80 tcp\n").table(), new RelayCounters())
          .values()
          .iterator()
          .next();
  private final ListenerKey key = new ListenerKey(Protocol.TCP, Optional.empty(), 80);

  @Test
  void explainsPrivilegedPorts() {
    assertThat(BindErrors.describe(key, route, new BindException("Permission denied")))
        .startsWith("line 3: cannot listen on tcp 80: permission denied")
        .contains("setcap cap_net_bind_service=+ep", "1024");
  }

  @Test
  void namesTheLineOfAPortInUse() {
    assertThat(
            BindErrors.describe(
                key, route, new BindException("bind(..) failed: Address already in use")))
        .startsWith("line 3: cannot listen on tcp 80: the port is already in use");
  }

  @Test
  void explainsAnAddressNotOnThisHost() {
    assertThat(
            BindErrors.describe(key, route, new BindException("Cannot assign requested address")))
        .contains("not configured on this host");
  }
}
