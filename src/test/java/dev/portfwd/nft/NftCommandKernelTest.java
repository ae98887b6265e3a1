package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.host.CommandException;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftCommandKernelTest {

  /** A runner whose every program fails with {@code failure}. */
  private static CommandRunner failing(IOException failure) {
    return new CommandRunner() {
      @Override
      public CommandResult run(List<String> argv, String stdin) throws IOException {
        throw failure;
      }

      @Override
      public boolean isInstalled(String program) {
        return true;
      }
    };
  }

  @Test
  void aTransactionStoppedAtItsLimitSaysTheKernelHasAllOrNothingOfIt() {
    NftCommandKernel kernel =
        new NftCommandKernel(
            failing(CommandException.timedOut(List.of("nft", "-f", "-"), Duration.ofSeconds(30))));

    assertThatThrownBy(() -> kernel.run("add table inet portfwd\n"))
        .isInstanceOf(NftCommandException.class)
        .hasMessage(
            "nft -f - did not finish within 30 s and was stopped; nft changes the kernel entirely"
                + " or not at all: 'portfwd plan' shows which");
  }

  @Test
  void aMissingNftNamesItsPackageAndTheOtherBackend() {
    NftCommandKernel kernel = new NftCommandKernel(failing(CommandException.notInstalled("nft")));

    assertThatThrownBy(() -> kernel.listTable(false))
        .isInstanceOfSatisfying(
            NftCommandException.class,
            e -> assertThat(e.kind()).isEqualTo(NftCommandException.Kind.NOT_INSTALLED))
        .hasMessage(
            "nft is not installed (looked in /usr/sbin, /usr/bin, /sbin and /bin); install it:"
                + " apt-get install nftables, or use --backend iptables");
  }

  @Test
  void theScriptReachesNftWholeInAPrivateFileNeverThroughAPipe() throws Exception {
    List<String> seen = new ArrayList<>();
    List<List<String>> argvs = new ArrayList<>();
    CommandRunner runner =
        new CommandRunner() {
          @Override
          public CommandResult run(List<String> argv, String stdin) throws IOException {
            argvs.add(argv);
            seen.add(stdin);
            // What nft finds when it starts: the whole script, readable by root alone.
            Path file = Path.of(argv.get(argv.size() - 1));
            seen.add(Files.readString(file));
            seen.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            return new CommandResult(argv, 0, "", "");
          }

          @Override
          public boolean isInstalled(String program) {
            return true;
          }
        };
    String script = "add table inet portfwd\nadd set inet portfwd marker { type ipv4_addr; }\n";

    new NftCommandKernel(runner).run(script);

    assertThat(argvs).hasSize(1);
    assertThat(argvs.get(0).subList(0, 2)).containsExactly("nft", "-f");
    assertThat(seen).containsExactly("", script, "rw-------");
    assertThat(Path.of(argvs.get(0).get(2))).isAbsolute().doesNotExist();
  }
}
