package dev.portfwd.iptables;

import dev.portfwd.backend.BackendException;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.host.ThrowawayNamespaces;
import dev.portfwd.model.IpFamily;
import dev.portfwd.testing.KernelAccess;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * {@link IptablesKernelContract} against the real iptables (nf_tables flavour; the legacy one in
 * {@code IptablesLegacyCommandKernelContractIT}), each case in a fresh network namespace of its
 * own.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class IptablesCommandKernelContractIT extends IptablesKernelContract {

  private ThrowawayNamespaces namespaces;

  @Override
  IptablesKernel kernel() {
    KernelAccess.require();
    namespaces = new ThrowawayNamespaces(new ProcessCommandRunner(), "iptables contract");
    String name = "pf-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3)) + "-iptc";
    try {
      namespaces.add(name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    IptablesCommandKernel kernel =
        new IptablesCommandKernel(ProcessCommandRunner.inNamespace(name), flavour());
    requireWorking(kernel);
    return kernel;
  }

  IptablesFlavour flavour() {
    return IptablesFlavour.NFT;
  }

  /**
   * Skips (fails in CI) when the flavour's programs are missing or its tables cannot be used in a
   * namespace here: README promises both flavours, so CI must have both.
   */
  private static void requireWorking(IptablesKernel kernel) {
    for (IpFamily family : IpFamily.values()) {
      String problem = null;
      try {
        kernel.probe(family);
      } catch (BackendException e) {
        problem = e.getMessage();
      }
      KernelAccess.requireWorking(
          problem == null,
          kernel.flavour().restore(family)
              + " does not work in a network namespace here: "
              + problem);
    }
  }

  @AfterEach
  void deleteNamespace() {
    if (namespaces != null) {
      namespaces.close();
    }
  }
}
