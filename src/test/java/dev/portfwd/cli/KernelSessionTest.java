package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelSessionTest {

  /** A host where {@code id -u} prints {@code uid} and {@code nft} is or is not installed. */
  static final class FakeHost implements CommandRunner {
    final List<List<String>> ran = new ArrayList<>();
    final String uid;
    final boolean nftInstalled;

    FakeHost(String uid, boolean nftInstalled) {
      this.uid = uid;
      this.nftInstalled = nftInstalled;
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
      ran.add(argv);
      if (argv.equals(List.of("id", "-u"))) {
        return new CommandResult(argv, 0, uid + "\n", "");
      }
      return new CommandResult(argv, 1, "", "Error: No such file or directory");
    }

    @Override
    public boolean isInstalled(String program) {
      return !program.equals("nft") || nftInstalled;
    }
  }

  @Test
  void withoutRootStopsWithOneLineBeforeRunningAnyTool() {
    FakeHost host = new FakeHost("1000", true);
    assertThatThrownBy(() -> KernelSession.open(BackendChoice.auto, host))
        .isInstanceOfSatisfying(
            PortfwdException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE);
              assertThat(e.getMessage())
                  .isEqualTo("changing or reading kernel forwarding needs root; run it with sudo");
            });
    assertThat(host.ran).containsExactly(List.of("id", "-u"));
  }

  @Test
  void theRollbackTimersSessionRunsNoToolBeforeItArms() {
    // The probe would be a whole iptables-save -t nat, which apply's wait for the timer cannot
    // afford at 100,000 forwards.
    FakeHost host = new FakeHost("0", true);
    KernelSession.openForTimer(BackendChoice.iptables_nft, host);
    assertThat(host.ran).containsExactly(List.of("id", "-u"));
    assertThatThrownBy(() -> KernelSession.open(BackendChoice.iptables_nft, host))
        .isInstanceOf(PortfwdException.class); // the fake's iptables-save fails
    assertThat(host.ran)
        .as("the CLI's session does probe")
        .anyMatch(argv -> argv.get(0).endsWith("-save"));
  }

  @Test
  void withoutNftStopsWithOneLineSayingWhatToInstall() {
    FakeHost host = new FakeHost("0", false);
    assertThatThrownBy(() -> KernelSession.open(BackendChoice.nftables, host))
        .isInstanceOfSatisfying(
            PortfwdException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.FAILURE);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "nft is not installed; install nftables (apt-get install nftables) or use --backend iptables");
              assertThat(e.getMessage()).doesNotContain("\n");
            });
    assertThat(host.ran).containsExactly(List.of("id", "-u"));
  }

  @Test
  void autoWithNeitherNftNorIptablesSaysWhatToInstall() {
    FakeHost host = new FakeHost("0", false);
    assertThatThrownBy(() -> KernelSession.open(BackendChoice.auto, host))
        .isInstanceOfSatisfying(
            PortfwdException.class,
            e ->
                assertThat(e.getMessage())
                    .isEqualTo(
                        "nft is not installed; install nftables (apt-get install nftables) or use --backend iptables"));
  }

  @Test
  void rootWithWorkingNftOpensASession() {
    FakeHost host = new FakeHost("0", true);
    assertThat(KernelSession.open(BackendChoice.auto, host).backend.name()).isEqualTo("nftables");
    // auto also asks iptables whether it holds portfwd's chains (here it does not work at all); nft
    // is asked once.
    assertThat(host.ran)
        .startsWith(List.of("id", "-u"), List.of("nft", "list", "table", "inet", "portfwd_probe"))
        .noneMatch(argv -> argv.get(0).equals("nft") && !argv.contains("portfwd_probe"));
    assertThat(host.ran).filteredOn(argv -> argv.get(0).equals("nft")).hasSize(1);
  }
}
