package dev.portfwd.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.backend.BackendException;
import dev.portfwd.model.IpFamily;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What portfwd relies on from an {@link IptablesKernel}, as cases that run unchanged against {@link
 * FakeIptablesKernel} ({@code FakeIptablesKernelContractTest}) and the real iptables-restore and
 * iptables-save in a network namespace ({@code IptablesCommandKernelContractIT}, in CI).
 */
abstract class IptablesKernelContract {

  /** A kernel of the kind under test, with empty tables. */
  abstract IptablesKernel kernel();

  IptablesKernel kernel;

  @BeforeEach
  void freshKernel() {
    kernel = kernel();
  }

  private static String block(String... rules) {
    return "*filter\n:PORTFWD-TEST - [0:0]\n" + String.join("\n", rules) + "\nCOMMIT\n";
  }

  private String saved() throws BackendException {
    return kernel.save(IpFamily.IPV4, "filter");
  }

  @Test
  void savesARuleInIptablesSaveForm() throws Exception {
    kernel.restore(
        IpFamily.IPV4,
        block("-A PORTFWD-TEST -s 203.0.113.10 -p tcp --dport 13102 -j ACCEPT"),
        false);
    assertThat(saved())
        .contains("-A PORTFWD-TEST -s 203.0.113.10/32 -p tcp -m tcp --dport 13102 -j ACCEPT");
  }

  @Test
  void refusesAPortWithoutAProtocol() throws Exception {
    assertThatThrownBy(
            () ->
                kernel.restore(IpFamily.IPV4, block("-A PORTFWD-TEST --dport 80 -j ACCEPT"), false))
        .isInstanceOf(BackendException.class);
    assertThat(saved()).doesNotContain("PORTFWD-TEST");
  }

  @Test
  void refusesAnUnknownMatch() throws Exception {
    assertThatThrownBy(
            () ->
                kernel.restore(
                    IpFamily.IPV4,
                    block("-A PORTFWD-TEST -m nosuchmatch --frob 1 -j ACCEPT"),
                    false))
        .isInstanceOf(BackendException.class);
    assertThat(saved()).doesNotContain("PORTFWD-TEST");
  }

  @Test
  void aBlockWithOneBadRuleChangesNothing() throws Exception {
    assertThatThrownBy(
            () ->
                kernel.restore(
                    IpFamily.IPV4,
                    block(
                        "-A PORTFWD-TEST -p tcp -m tcp --dport 80 -j ACCEPT",
                        "-A PORTFWD-TEST -j PORTFWD-NOSUCHCHAIN"),
                    false))
        .isInstanceOf(BackendException.class);
    assertThat(saved()).doesNotContain("PORTFWD-TEST");
  }

  @Test
  void aTestRestoreChangesNothing() throws Exception {
    kernel.restore(
        IpFamily.IPV4, block("-A PORTFWD-TEST -p udp -m udp --dport 53 -j ACCEPT"), true);
    assertThat(saved()).doesNotContain("PORTFWD-TEST");
  }
}
