package dev.portfwd.cli;

import dev.portfwd.apply.Backend;
import dev.portfwd.apply.BackendException;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.nft.NftBackend;
import dev.portfwd.nft.NftCommandKernel;

/**
 * The values of {@code --backend}. {@code auto} picks nftables when {@code nft} works; the
 * iptables backend (a later issue) adds itself here as another constant and as auto's fallback.
 */
enum BackendChoice {
  auto,
  nftables;

  /** The backend this choice means on the host {@code runner} reaches. */
  Backend create(CommandRunner runner) throws BackendException {
    return switch (this) {
      case auto, nftables -> new NftBackend(new NftCommandKernel(runner));
    };
  }
}
