package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.backend.BackendException;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.host.ForwardingSysctls;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link ForwardingSysctls} relies on from the kernel's /proc/sys, as cases that run unchanged
 * against {@link FakeSysctls} ({@code FakeSysctlsContractTest}) and the real files in a fresh
 * network namespace ({@code SysctlsContractIT}, in CI), so the fake cannot drift.
 */
abstract class SysctlsContract {

  /** A runner whose sysctls are a fresh network namespace's: forwarding off. */
  abstract CommandRunner runner();

  ForwardingSysctls sysctls;

  @BeforeEach
  void fresh() {
    sysctls = new ForwardingSysctls(runner());
  }

  @Test
  void forwardingStartsOffAndReadsBackWhatWasSet() throws Exception {
    assertThat(sysctls.isOn(ForwardingSysctls.IPV4)).isFalse();
    assertThat(sysctls.isOn(ForwardingSysctls.IPV6)).isFalse();
    sysctls.set(ForwardingSysctls.IPV4, true);
    assertThat(sysctls.isOn(ForwardingSysctls.IPV4)).isTrue();
    assertThat(sysctls.isOn(ForwardingSysctls.IPV6)).isFalse();
    sysctls.set(ForwardingSysctls.IPV4, false);
    assertThat(sysctls.isOn(ForwardingSysctls.IPV4)).isFalse();
  }

  @Test
  void aKeyTheKernelLacksCannotBeReadOrSet() {
    String missing = "net.ipv4.conf.nosuchif0.forwarding";
    assertThatThrownBy(() -> sysctls.isOn(missing)).isInstanceOf(BackendException.class);
    assertThatThrownBy(() -> sysctls.set(missing, true))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining(missing);
  }
}
