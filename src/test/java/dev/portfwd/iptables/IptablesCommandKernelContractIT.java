package dev.portfwd.iptables;

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
 * {@link IptablesKernelContract} against the real iptables (nf_tables flavour), each case in a
 * fresh network namespace of its own.
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
    return new IptablesCommandKernel(ProcessCommandRunner.inNamespace(name), IptablesFlavour.NFT);
  }

  @AfterEach
  void deleteNamespace() {
    if (namespaces != null) {
      namespaces.close();
    }
  }
}
