package dev.portfwd.state;

import dev.portfwd.host.CommandRunner;
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
 * {@link SysctlsContract} against the real kernel (its /proc/sys through grep and tee), in a fresh
 * network namespace.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SysctlsContractIT extends SysctlsContract {

  private ThrowawayNamespaces namespaces;

  @Override
  CommandRunner runner() {
    KernelAccess.require();
    namespaces = new ThrowawayNamespaces(new ProcessCommandRunner(), "sysctl contract");
    String name = "pf-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3)) + "-sysc";
    try {
      namespaces.add(name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return ProcessCommandRunner.inNamespace(name);
  }

  @AfterEach
  void deleteNamespace() {
    if (namespaces != null) {
      namespaces.close();
    }
  }
}
