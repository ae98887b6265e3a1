package dev.portfwd.nft;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.DriftProbe;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The nftables {@link DriftProbe}: the names and kernel handles of the chains in {@code table inet
 * portfwd}, from {@code nft -j list chains}. That listing carries no rules and no set elements, so
 * it costs milliseconds whatever the number of forwards; handles are new whenever a chain is
 * deleted and created again, so a flush-and-reload shows even when the names come back.
 */
public final class NftChainsProbe implements DriftProbe {

  private final CommandRunner runner;

  public NftChainsProbe(CommandRunner runner) {
    this.runner = runner;
  }

  @Override
  public Optional<String> fingerprint() throws BackendException {
    CommandResult result;
    try {
      result = runner.run(List.of("nft", "-j", "list", "chains"));
    } catch (IOException e) {
      throw new BackendException("cannot run nft: " + e.getMessage(), e);
    }
    if (!result.succeeded()) {
      throw new BackendException("cannot list nftables chains: " + result.describeFailure());
    }
    return Optional.of(fingerprint(result.stdout()));
  }

  /**
   * {@code forward#7 postrouting#5 prerouting#3} for portfwd's chains; empty text when there are
   * none.
   */
  static String fingerprint(String json) throws BackendException {
    TreeSet<String> chains = new TreeSet<>();
    try {
      for (NftListing.Entry entry : NftListing.read(json).orElse(List.of())) {
        if (entry instanceof NftListing.Chain chain
            && chain.family().equals("inet")
            && chain.table().equals("portfwd")) {
          chains.add(chain.name() + "#" + chain.handle());
        }
      }
    } catch (IOException e) {
      throw new BackendException("cannot read 'nft -j list chains': " + e.getMessage(), e);
    }
    return String.join(" ", chains);
  }
}
