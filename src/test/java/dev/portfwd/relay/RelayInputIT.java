package dev.portfwd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code portfwd relay} refusing bad input, through the built jar: needs neither root nor
 * namespaces, so it runs wherever the build does (RelayIT's topology would skip it without root).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayInputIT {

  @Test
  void refusesAnInvalidTableBeforeListening() {
    CommandResult result = PortfwdJar.run("13990 192.0.2.2 80 tpc\n", "relay", "-");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("<stdin>:1:", "tpc", "nothing was changed");
  }
}
