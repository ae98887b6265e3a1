package dev.portfwd.state;

import dev.portfwd.host.CommandRunner;

/** {@link SysctlsContract} against the fake the state and engine tests use. */
class FakeSysctlsContractTest extends SysctlsContract {

  @Override
  CommandRunner runner() {
    return new FakeSysctls();
  }
}
