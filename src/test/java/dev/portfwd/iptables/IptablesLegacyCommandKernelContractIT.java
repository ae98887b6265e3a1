package dev.portfwd.iptables;

/**
 * {@link IptablesKernelContract} against the real legacy iptables ({@code iptables-legacy-restore},
 * x_tables), which README offers as {@code --backend iptables-legacy}: so it must run in CI, and a
 * kernel without the legacy tables fails there rather than skips.
 */
class IptablesLegacyCommandKernelContractIT extends IptablesCommandKernelContractIT {

  @Override
  IptablesFlavour flavour() {
    return IptablesFlavour.LEGACY;
  }
}
