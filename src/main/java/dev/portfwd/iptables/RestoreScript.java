package dev.portfwd.iptables;

import dev.portfwd.model.IpFamily;
import java.util.List;
import java.util.Map;

/**
 * Builds {@code iptables-restore --noflush} input for one table: the only text portfwd ever hands
 * to iptables. With {@code --noflush} restore leaves every chain it is not told about alone, and
 * the whole block is committed at once, so other tools' rules are untouched and the table holds
 * either the old or the new rules of portfwd, never a mix.
 *
 * <p>A script for several tables and families is a sequence of such blocks, each after a comment
 * line naming the program it is for ({@code # ip6tables-restore --noflush}); {@link
 * IptablesBackend#apply} splits it there, so {@code plan --script} prints exactly what runs.
 */
final class RestoreScript {

  static final String HEADER_SUFFIX = " --noflush";

  private RestoreScript() {}

  /**
   * Rebuilds portfwd's chains of {@code table} with {@code chains}' rules: each chain is declared
   * ({@code :CHAIN - [0:0]} creates it if missing) and flushed, then filled; jumps missing from the
   * built-in chains are inserted at the top, duplicated ones deleted.
   */
  static String rebuild(String table, Map<String, List<List<String>>> chains, SavedTable current) {
    StringBuilder text = new StringBuilder("*").append(table).append('\n');
    for (String chain : Chains.own(table)) {
      text.append(':').append(chain).append(" - [0:0]\n");
    }
    for (String chain : Chains.own(table)) {
      text.append("-F ").append(chain).append('\n');
    }
    for (Map.Entry<String, String> jump : Chains.jumps(table).entrySet()) {
      int count = current.jumpCount(jump.getKey(), jump.getValue());
      if (count == 0) {
        text.append("-I ")
            .append(jump.getKey())
            .append(" 1 -j ")
            .append(jump.getValue())
            .append('\n');
      }
      for (int extra = 1; extra < count; extra++) {
        text.append("-D ")
            .append(jump.getKey())
            .append(" -j ")
            .append(jump.getValue())
            .append('\n');
      }
    }
    // Chains with portfwd's prefix that this version does not use (left by an older version or by
    // hand) would otherwise keep the tables from ever matching the plan: take them out.
    List<String> stray =
        current.ownChains().stream().filter(c -> !Chains.own(table).contains(c)).toList();
    for (SavedTable.Rule rule : current.rules()) {
      if (!Chains.isOwn(rule.chain())
          && rule.words().size() == 2
          && rule.words().get(0).equals("-j")
          && stray.contains(rule.words().get(1))) {
        text.append("-D ")
            .append(rule.chain())
            .append(" -j ")
            .append(rule.words().get(1))
            .append('\n');
      }
    }
    stray.forEach(chain -> text.append("-F ").append(chain).append('\n'));
    stray.forEach(chain -> text.append("-X ").append(chain).append('\n'));
    for (String chain : Chains.own(table)) {
      for (List<String> rule : chains.getOrDefault(chain, List.of())) {
        text.append("-A ").append(chain).append(' ').append(RestoreText.join(rule)).append('\n');
      }
    }
    return text.append("COMMIT\n").toString();
  }

  /**
   * Removes everything portfwd has in {@code current}: the jumps first (a chain still referenced
   * cannot be deleted), then every chain with the prefix is flushed and deleted.
   */
  static String remove(SavedTable current) {
    StringBuilder text = new StringBuilder("*").append(current.name()).append('\n');
    for (SavedTable.Rule rule : current.rules()) {
      if (!Chains.isOwn(rule.chain())
          && rule.words().size() == 2
          && rule.words().get(0).equals("-j")
          && Chains.isOwn(rule.words().get(1))) {
        text.append("-D ")
            .append(rule.chain())
            .append(" -j ")
            .append(rule.words().get(1))
            .append('\n');
      }
    }
    for (String chain : current.ownChains()) {
      text.append("-F ").append(chain).append('\n');
    }
    for (String chain : current.ownChains()) {
      text.append("-X ").append(chain).append('\n');
    }
    return text.append("COMMIT\n").toString();
  }

  /** The comment line that starts the block for {@code family}'s restore program. */
  static String header(IptablesFlavour flavour, IpFamily family) {
    return "# " + flavour.restore(family) + HEADER_SUFFIX + "\n";
  }
}
