package dev.portfwd.iptables;

import dev.portfwd.model.IpFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  /**
   * Puts portfwd's part of a table back from {@code now} to {@code before} (see {@link
   * SavedTable#portfwdPart}), as after a later table of the same apply failed: the chains {@code
   * before} had are declared, flushed and refilled with its rules; jumps to them are added or
   * removed until each appears as often as it did; chains it did not have lose their jumps and are
   * deleted. Empty when there is nothing to put back. Counters of the refilled rules start at zero.
   */
  static Optional<String> revert(SavedTable now, SavedTable before) {
    if (now.portfwdPart().equals(before.portfwdPart())) {
      return Optional.empty();
    }
    StringBuilder text = new StringBuilder("*").append(before.name()).append('\n');
    List<String> keep = before.ownChains();
    List<String> drop = now.ownChains().stream().filter(c -> !keep.contains(c)).toList();
    keep.forEach(chain -> text.append(':').append(chain).append(" - [0:0]\n"));
    keep.forEach(chain -> text.append("-F ").append(chain).append('\n'));
    drop.forEach(chain -> text.append("-F ").append(chain).append('\n'));
    Map<List<String>, Integer> wanted = jumpCounts(before);
    Map<List<String>, Integer> present = jumpCounts(now);
    for (Map.Entry<List<String>, Integer> jump : present.entrySet()) {
      for (int extra = wanted.getOrDefault(jump.getKey(), 0); extra < jump.getValue(); extra++) {
        text.append("-D ")
            .append(jump.getKey().get(0))
            .append(" -j ")
            .append(jump.getKey().get(1))
            .append('\n');
      }
    }
    for (Map.Entry<List<String>, Integer> jump : wanted.entrySet()) {
      for (int missing = present.getOrDefault(jump.getKey(), 0);
          missing < jump.getValue();
          missing++) {
        text.append("-I ")
            .append(jump.getKey().get(0))
            .append(" 1 -j ")
            .append(jump.getKey().get(1))
            .append('\n');
      }
    }
    drop.forEach(chain -> text.append("-X ").append(chain).append('\n'));
    for (SavedTable.Rule rule : before.rules()) {
      if (Chains.isOwn(rule.chain())) {
        text.append("-A ")
            .append(rule.chain())
            .append(' ')
            .append(RestoreText.join(rule.words()))
            .append('\n');
      }
    }
    return Optional.of(text.append("COMMIT\n").toString());
  }

  /** (chain, portfwd's chain it jumps to) → how many such jump rules {@code table} has. */
  private static Map<List<String>, Integer> jumpCounts(SavedTable table) {
    Map<List<String>, Integer> counts = new LinkedHashMap<>();
    for (SavedTable.Rule rule : table.rules()) {
      if (SavedTable.jumpsToOwn(rule)) {
        counts.merge(List.of(rule.chain(), rule.words().get(1)), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** The comment line that starts the block for {@code family}'s restore program. */
  static String header(IptablesFlavour flavour, IpFamily family) {
    return "# " + flavour.restore(family) + HEADER_SUFFIX + "\n";
  }
}
