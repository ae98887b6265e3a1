package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code portfwd relay}'s options as its help states them. Serving is tested with real sockets in
 * {@code relay.RelayIT}; here nothing listens.
 */
class RelayCommandTest {

  @Test
  void helpSaysThatZeroMeansNeverForBothIdleTimeoutsAndWhatItCostsForUdp() {
    CommandLine.Model.CommandSpec relay =
        Portfwd.newCommandLine(new ByteArrayInputStream(new byte[0]))
            .getSubcommands()
            .get("relay")
            .getCommandSpec();

    assertThat(String.join(" ", relay.findOption("--idle-timeout").description()))
        .contains("0 never");
    assertThat(String.join(" ", relay.findOption("--udp-idle-timeout").description()))
        .contains("0 never")
        .contains("--max-udp-sessions");
  }

  @Test
  void acceptsZeroForTheUdpIdleTimeout() {
    RelayCommand relay = new RelayCommand();
    new CommandLine(relay).parseArgs("--udp-idle-timeout=0", "-");

    assertThat(relay.udpIdleTimeout).isZero();
  }
}
