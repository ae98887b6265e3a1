package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.BackendException;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendChoiceTest {

  /**
   * A root host where nft does or does not work and iptables' nat table does or does not hold
   * portfwd.
   */
  record Host(boolean nftWorks, boolean iptablesHoldsPortfwd) implements CommandRunner {
    @Override
    public CommandResult run(List<String> argv, String stdin) {
      String program = argv.get(0);
      if (program.equals("nft")) {
        return new CommandResult(
            argv, nftWorks ? 0 : 1, "", nftWorks ? "" : "Error: cannot talk to the kernel");
      }
      if (program.equals("iptables-save") || program.equals("ip6tables-save")) {
        boolean nat = argv.contains("nat");
        String chains =
            iptablesHoldsPortfwd && nat && program.equals("iptables-save")
                ? ":PORTFWD-DNAT - [0:0]\n[0:0] -A PREROUTING -j PORTFWD-PREROUTING\n"
                : "";
        return new CommandResult(
            argv,
            0,
            "*" + (nat ? "nat" : "filter") + "\n:PREROUTING ACCEPT [0:0]\n" + chains + "COMMIT\n",
            "");
      }
      return new CommandResult(argv, 1, "", "No such file or directory");
    }

    @Override
    public boolean isInstalled(String program) {
      return true;
    }
  }

  @Test
  void autoPicksNftablesWhenNothingIsInstalled() throws BackendException {
    assertThat(BackendChoice.auto.create(new Host(true, false)).name()).isEqualTo("nftables");
  }

  @Test
  void autoFindsForwardsInstalledWithIptables() throws BackendException {
    assertThat(BackendChoice.auto.create(new Host(true, true)).name()).isEqualTo("iptables");
  }

  @Test
  void autoFallsBackToIptablesWithoutNft() throws BackendException {
    assertThat(BackendChoice.auto.create(new Host(false, false)).name()).isEqualTo("iptables");
  }

  @Test
  void backendWordsAreWhatUsersType() {
    picocli.CommandLine.ParseResult parsed =
        Portfwd.newCommandLine().parseArgs("apply", "--backend", "iptables-legacy", "t.txt");
    ApplyCommand apply = (ApplyCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(apply.inputs.backend.choice).isEqualTo(BackendChoice.iptables_legacy);
    assertThat(apply.inputs.table).isEqualTo("t.txt");
  }
}
