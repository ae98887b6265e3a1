package dev.portfwd.nft;

import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.host.ThrowawayNamespaces;
import dev.portfwd.testing.KernelAccess;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NftKernelContract} against the real {@code nft}, each case in a fresh network namespace of
 * its own (deleted afterwards), so what the fake does is what the kernel does.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NftCommandKernelContractIT extends NftKernelContract {

  private ThrowawayNamespaces namespaces;

  @Override
  NftKernel kernel() {
    KernelAccess.require();
    namespaces = new ThrowawayNamespaces(new ProcessCommandRunner(), "nft contract");
    String name = "pf-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3)) + "-nftc";
    try {
      namespaces.add(name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new NftCommandKernel(ProcessCommandRunner.inNamespace(name));
  }

  @AfterEach
  void deleteNamespace() {
    if (namespaces != null) {
      namespaces.close();
    }
  }
}
