package dev.portfwd.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.model.IpFamily;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IptablesCommandKernelTest {

  /** Records every argv and answers each with {@code answer}. */
  private static final class Recorder implements CommandRunner {
    final List<List<String>> ran = new ArrayList<>();
    final List<String> stdins = new ArrayList<>();
    final List<String> files = new ArrayList<>();
    final List<String> modes = new ArrayList<>();
    private final CommandResult answer;

    Path last;

    Recorder(int exit, String stderr) {
      this.answer = new CommandResult(List.of("x"), exit, "", stderr);
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
      // The input file as the program finds it when it starts; its name aside, as it is random.
      Path input = Path.of(argv.get(argv.size() - 1));
      try {
        files.add(Files.readString(input));
        modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(input)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ran.add(argv.subList(0, argv.size() - 1));
      stdins.add(stdin);
      last = input;
      return answer;
    }

    @Override
    public boolean isInstalled(String program) {
      return true;
    }
  }

  @Test
  void restoresWaitABoundedTimeForTheXtablesLock() throws Exception {
    Recorder runner = new Recorder(0, "");
    IptablesCommandKernel kernel = new IptablesCommandKernel(runner, IptablesFlavour.LEGACY);

    kernel.restore(IpFamily.IPV4, "*nat\nCOMMIT\n", /* test= */ true);
    kernel.restore(IpFamily.IPV6, "*nat\nCOMMIT\n", /* test= */ false);

    assertThat(runner.ran)
        .containsExactly(
            List.of("iptables-legacy-restore", "--noflush", "-w", "10", "--test"),
            List.of("ip6tables-legacy-restore", "--noflush", "-w", "10"));
  }

  @Test
  void theInputReachesTheProgramWholeInAPrivateFileNeverThroughAPipe() throws Exception {
    Recorder runner = new Recorder(0, "");
    IptablesCommandKernel kernel = new IptablesCommandKernel(runner, IptablesFlavour.NFT);
    String input = "*nat\n:PORTFWD-PREROUTING - [0:0]\nCOMMIT\n";

    kernel.restore(IpFamily.IPV4, input, /* test= */ false);

    assertThat(runner.files).containsExactly(input);
    assertThat(runner.modes).containsExactly("rw-------");
    assertThat(runner.stdins).containsExactly("");
    assertThat(runner.last).doesNotExist();
  }

  @Test
  void aHeldLockIsReportedByItsOwnLine() {
    Recorder runner =
        new Recorder(
            4,
            "Can't lock /run/xtables.lock: Resource temporarily unavailable\n"
                + "Another app is currently holding the xtables lock. Stopped waiting after 10s.\n");
    IptablesCommandKernel kernel = new IptablesCommandKernel(runner, IptablesFlavour.LEGACY);

    assertThatThrownBy(() -> kernel.restore(IpFamily.IPV4, "*nat\nCOMMIT\n", false))
        .hasMessage(
            "iptables-legacy-restore: Another app is currently holding the xtables lock."
                + " Stopped waiting after 10s.");
  }
}
