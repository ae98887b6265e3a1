package dev.portfwd.nft;

/** {@link NftKernelContract} against the in-memory fake the backend's unit tests use. */
class FakeNftKernelContractTest extends NftKernelContract {

  @Override
  NftKernel kernel() {
    return new FakeNftKernel();
  }
}
