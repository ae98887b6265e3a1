package dev.portfwd.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.host.CommandException;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import java.io.IOException;
import java.time.Duration;
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
}
