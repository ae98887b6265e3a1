package dev.portfwd.iptables;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One table as {@code iptables-save -c} prints it: its chains and its rules in order, each with its
 * counters. Lines of other tables and comments are skipped.
 */
record SavedTable(String name, Set<String> chains, List<Rule> rules) {

  /** One {@code [packets:bytes] -A CHAIN words…} line; {@code words} are unquoted. */
  record Rule(String chain, List<String> words, long packets, long bytes) {}

  SavedTable {
    chains = Set.copyOf(chains);
    rules = List.copyOf(rules);
  }

  /**
   * Parses the {@code *name} block of {@code text}.
   *
   * @throws IllegalArgumentException when a rule line of that table cannot be read
   */
  static SavedTable parse(String name, String text) {
    Set<String> chains = new LinkedHashSet<>();
    List<Rule> rules = new ArrayList<>();
    boolean inTable = false;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("*")) {
        inTable = line.substring(1).equals(name);
        continue;
      }
      if (!inTable || line.equals("COMMIT")) {
        continue;
      }
      if (line.startsWith(":")) {
        chains.add(line.substring(1).split("\\s+")[0]);
        continue;
      }
      long packets = 0;
      long bytes = 0;
      if (line.startsWith("[")) {
        int close = line.indexOf(']');
        String[] counts = line.substring(1, close).split(":");
        packets = Long.parseLong(counts[0]);
        bytes = Long.parseLong(counts[1]);
        line = line.substring(close + 1).strip();
      }
      List<String> words = RestoreText.split(line);
      if (words.size() < 2 || !words.get(0).equals("-A")) {
        throw new IllegalArgumentException("unexpected line in " + name + " table: " + raw);
      }
      rules.add(
          new Rule(words.get(1), List.copyOf(words.subList(2, words.size())), packets, bytes));
    }
    return new SavedTable(name, chains, rules);
  }

  /** The rules of {@code chain}, in order. */
  List<Rule> rules(String chain) {
    return rules.stream().filter(r -> r.chain().equals(chain)).toList();
  }

  /** The words of each rule of {@code chain}, without counters. */
  List<List<String>> words(String chain) {
    return rules(chain).stream().map(Rule::words).toList();
  }

  /** portfwd's chains present in this table (any name with the prefix). */
  List<String> ownChains() {
    return chains.stream().filter(Chains::isOwn).toList();
  }

  /** How many rules of built-in {@code builtin} jump to {@code target} and do nothing else. */
  int jumpCount(String builtin, String target) {
    return (int) rules(builtin).stream().filter(r -> r.words().equals(Chains.jump(target))).count();
  }

  /**
   * What portfwd has in this table, counters aside: its chains with their rules' words, and the
   * jumps to them from other chains, each in order. Two tables with equal parts hold the same
   * forwards the same way.
   */
  List<List<String>> portfwdPart() {
    List<List<String>> part = new ArrayList<>();
    for (String chain : ownChains().stream().sorted().toList()) {
      part.add(List.of(":" + chain));
    }
    for (Rule rule : rules) {
      if (Chains.isOwn(rule.chain()) || jumpsToOwn(rule)) {
        List<String> line = new ArrayList<>();
        line.add(rule.chain());
        line.addAll(rule.words());
        part.add(line);
      }
    }
    return part;
  }

  /**
   * True when {@code rule} sits in another tool's or a built-in chain and only jumps to portfwd.
   */
  static boolean jumpsToOwn(Rule rule) {
    return !Chains.isOwn(rule.chain())
        && rule.words().size() == 2
        && rule.words().get(0).equals("-j")
        && Chains.isOwn(rule.words().get(1));
  }

  /** True when portfwd has a chain or a jump in this table. */
  boolean holdsPortfwd() {
    return !ownChains().isEmpty() || rules.stream().anyMatch(SavedTable::jumpsToOwn);
  }
}
