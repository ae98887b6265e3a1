package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code --state-dir} of every command that takes it, read by picocli only: nothing here runs a
 * command, so no case can touch a state directory, with the fix or without it.
 */
class StateOptionsTest {

  @ParameterizedTest
  @ValueSource(strings = {"apply", "plan", "status", "remove", "confirm", "rollback", "watch"})
  void anEmptyStateDirIsAUsageErrorNotTheWorkingDirectory(String command) throws Exception {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Portfwd.newCommandLine();
    commandLine.setErr(new PrintWriter(err));
    String[] args = {command, "--state-dir", ""};
    ParameterException refused =
        catchThrowableOfType(() -> commandLine.parseArgs(args), ParameterException.class);
    assertThat(refused).as("refused").isNotNull().hasMessage("--state-dir needs a directory");
    assertThat(commandLine.getParameterExceptionHandler().handleParseException(refused, args))
        .isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(err.toString()).startsWith("--state-dir needs a directory");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--state-dir=", "--state-dir= "})
  void aBlankStateDirIsRefusedAsTheEmptyEnvironmentVariableIsIgnored(String option) {
    CommandLine kept = Portfwd.newCommandLine();
    kept.parseArgs("status", "--state-dir=st");
    StatusCommand status = kept.getSubcommands().get("status").getCommand();
    assertThat(status.state.stateDir).isEqualTo(Path.of("st"));

    ParameterException refused =
        catchThrowableOfType(
            () -> Portfwd.newCommandLine().parseArgs("status", option), ParameterException.class);
    assertThat(refused).as("refused").isNotNull().hasMessage("--state-dir needs a directory");
  }
}
