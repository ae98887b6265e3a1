package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PortfwdTest {

  @Test
  void subcommandNamesAreTheOnesTheirCommandsDeclare() {
    // main picks the one subcommand to build by these names; a drift would hide a command.
    for (Portfwd.Subcommand subcommand : Portfwd.SUBCOMMANDS) {
      assertThat(new CommandLine(subcommand.type()).getCommandName()).isEqualTo(subcommand.name());
    }
  }

  @Test
  void helpListsEverySubcommandButTheHiddenTimer() {
    StringWriter out = new StringWriter();
    CommandLine commandLine = Portfwd.newCommandLine();
    commandLine.setOut(new PrintWriter(out));
    assertThat(commandLine.execute("--help")).isZero();
    for (Portfwd.Subcommand subcommand : Portfwd.SUBCOMMANDS) {
      if (!subcommand.name().equals(RollbackTimerCommand.NAME)) {
        assertThat(out.toString()).contains("  " + subcommand.name() + " ");
      }
    }
    assertThat(out.toString()).doesNotContain(RollbackTimerCommand.NAME);
  }
}
