package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

  @Test
  void anUnexpectedFailureReachesTheTerminalEscaped() {
    // Only a control-socket client can send a NUL in an argument; the path's text is echoed back.
    StringWriter err = new StringWriter();
    CommandLine commandLine = Portfwd.newCommandLine();
    commandLine.setOut(new PrintWriter(new StringWriter()));
    commandLine.setErr(new PrintWriter(err));
    int exit = commandLine.execute("check", "ports\u0000\u001b]0;pwned\u0007.txt");
    assertThat(exit).isNotZero();
    assertThat(err.toString())
        .contains("ports\\x00\\x1b]0;pwned\\x07.txt")
        .doesNotContain("\u0000", "\u001b", "\u0007");
  }

  @Test
  void aFailureQuotingAStateDirectoryReachesTheTerminalEscaped(@TempDir Path dir) {
    String stateDir = dir.resolve("state\u001b[31m").toString();
    for (String[] args :
        List.of(
            new String[] {"rollback", "--direct", "--state-dir", stateDir},
            new String[] {"rollback", "--list", "--direct", "--state-dir", stateDir})) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine commandLine = Portfwd.newCommandLine();
      commandLine.setOut(new PrintWriter(out));
      commandLine.setErr(new PrintWriter(err));
      commandLine.execute(args);
      assertThat(out.toString() + err.toString())
          .as(String.join(" ", args))
          .contains("state\\x1b[31m")
          .doesNotContain("\u001b");
    }
  }

  @Test
  void anOptionsBadValueReachesTheTerminalEscaped() {
    for (String[] args :
        List.of(
            new String[] {"status", "--state-dir", "st\u0000\u001b[2J"},
            new String[] {"check", "--frobnicate\u001b[2J"},
            new String[] {"plan", "--backend", "nft\u001b[2J"})) {
      StringWriter err = new StringWriter();
      CommandLine commandLine = Portfwd.newCommandLine();
      commandLine.setOut(new PrintWriter(new StringWriter()));
      commandLine.setErr(new PrintWriter(err));
      commandLine.execute(args);
      assertThat(err.toString()).as(String.join(" ", args)).doesNotContain("\u0000", "\u001b");
    }
  }
}
