package dev.portfwd.doctor;

import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.model.ForwardTable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The simplest {@link InstalledRules}: whether portfwd's nftables table exists. It cannot say
 * whether the rules in it match the table, so {@link InstalledState#differences} stays empty.
 */
public final class NftTablePresence implements InstalledRules {

  static final List<String> LIST_TABLE = List.of("nft", "-j", "list", "table", "inet", NftRulesetParser.OWN_TABLE);

  @Override
  public InstalledState inspect(CommandRunner runner, Optional<ForwardTable> table) throws IOException {
    String how = String.join(" ", LIST_TABLE);
    if (!runner.isInstalled("nft")) {
      return new InstalledState(false, Optional.empty(), "nft is not installed");
    }
    CommandResult result = runner.run(LIST_TABLE);
    return new InstalledState(result.succeeded(), Optional.empty(), how);
  }
}
