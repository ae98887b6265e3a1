package dev.portfwd.cli;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.iptables.IptablesBackend;
import dev.portfwd.iptables.IptablesFlavour;
import dev.portfwd.nft.NftBackend;
import dev.portfwd.nft.NftCommandKernel;
import java.util.Optional;

/**
 * The values of {@code --backend}. {@code auto} uses the backend that already holds portfwd's rules
 * (so {@code status} and {@code remove} find them without being told, and an apply never leaves a
 * second copy in the other backend); with nothing installed, nftables when {@code nft} works,
 * iptables otherwise. {@code iptables} picks the iptables flavour that holds portfwd's chains, else
 * plain {@code iptables}; {@code iptables-nft} and {@code iptables-legacy} name one.
 */
enum BackendChoice {
  auto("auto"),
  nftables("nftables"),
  iptables("iptables"),
  iptables_nft("iptables-nft"),
  iptables_legacy("iptables-legacy");

  private final String word;

  BackendChoice(String word) {
    this.word = word;
  }

  /** What users type; picocli matches it and lists it in help. */
  @Override
  public String toString() {
    return word;
  }

  /**
   * The backend this choice means on the host {@code runner} reaches (for {@code doctor}: maybe
   * unusable).
   */
  Backend create(CommandRunner runner) throws BackendException {
    return switch (this) {
      case nftables -> new NftBackend(new NftCommandKernel(runner));
      case iptables -> IptablesBackend.forHost(runner, Optional.empty());
      case iptables_nft -> IptablesBackend.forHost(runner, Optional.of(IptablesFlavour.NFT));
      case iptables_legacy -> IptablesBackend.forHost(runner, Optional.of(IptablesFlavour.LEGACY));
      case auto -> auto(runner).backend();
    };
  }

  /**
   * The backend this choice means, checked to work on this host: its tool is there and answers.
   * {@code auto} has asked that while choosing, so the tool is not asked twice.
   *
   * @throws BackendException with the chosen backend's one-line message saying what to install
   */
  Backend usable(CommandRunner runner) throws BackendException {
    Chosen chosen = this == auto ? auto(runner) : new Chosen(create(runner), false);
    if (!chosen.works()) {
      chosen.backend().requireUsable();
    }
    return chosen.backend();
  }

  /** A backend and whether choosing it already proved that it works. */
  private record Chosen(Backend backend, boolean works) {}

  private static Chosen auto(CommandRunner runner) {
    NftBackend nft = new NftBackend(new NftCommandKernel(runner));
    boolean nftWorks = works(nft);
    IptablesBackend iptables = IptablesBackend.forHost(runner, Optional.empty());
    if (!nftWorks) {
      // Neither works: nftables' own check then says what to install.
      return works(iptables) ? new Chosen(iptables, true) : new Chosen(nft, false);
    }
    // Only the iptables side is asked whether it holds portfwd's rules: its dumps are cheap, while
    // listing portfwd's nft table costs as much as a plan. A host holding both (a leftover) is
    // served by iptables until 'portfwd remove --backend iptables'.
    return new Chosen(works(iptables) && installed(iptables) ? iptables : nft, true);
  }

  private static boolean works(Backend backend) {
    try {
      backend.requireUsable();
      return true;
    } catch (BackendException e) {
      return false;
    }
  }

  private static boolean installed(Backend backend) {
    try {
      return backend.isInstalled();
    } catch (BackendException e) {
      return false;
    }
  }
}
