package dev.portfwd.iptables;

/** {@link IptablesKernelContract} against the fake the backend's unit tests use. */
class FakeIptablesKernelContractTest extends IptablesKernelContract {

  @Override
  IptablesKernel kernel() {
    return new FakeIptablesKernel();
  }
}
