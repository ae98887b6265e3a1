package dev.portfwd.iptables;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.model.IpFamily;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The iptables backend, for hosts without nftables or whose other tools speak only iptables:
 * portfwd's own {@code PORTFWD-} chains (see {@link Chains}), reached by one jump each from the
 * built-in chains, in the nat and filter tables of {@code iptables} and, for IPv6 forwards, {@code
 * ip6tables}; either flavour ({@link IptablesFlavour}).
 *
 * <p>A plan dumps both tables of each family with {@code iptables-save}, decodes portfwd's chains
 * into forwards for the per-forward diff people read, and compares the chains word for word with
 * the rules the desired forwards render to. A table whose chains or jumps differ is rebuilt whole
 * in one {@code iptables-restore --noflush} block (chains declared, flushed, refilled), so each
 * table changes atomically and a second apply of the same table finds nothing to do. Applying first
 * runs every block with {@code --test}, so a block that the kernel would refuse stops the apply
 * before any table changed. Nothing outside the {@code PORTFWD-} chains and jumps is named.
 *
 * <p>Tables do not change together, though: a later block can still fail after earlier ones were
 * committed (another program holding the xtables lock longer than the restore waits, a restore
 * stopped at its time limit). Apply therefore saves each table first and, when block k fails, puts
 * portfwd's chains and jumps of blocks 1..k back as they were ({@link RestoreScript#revert}); its
 * message says whether that worked.
 */
public final class IptablesBackend implements Backend {

  private final IptablesKernel kernel;

  public IptablesBackend(IptablesKernel kernel) {
    this.kernel = kernel;
  }

  /**
   * The backend for the host {@code runner} reaches. {@code flavour} empty means auto: the flavour
   * whose tables already hold portfwd's chains, else {@link IptablesFlavour#NFT} (plain {@code
   * iptables}). The legacy tables are only read when the kernel already has them in use, so auto
   * never creates legacy tables as a side effect.
   */
  public static IptablesBackend forHost(CommandRunner runner, Optional<IptablesFlavour> flavour) {
    if (flavour.isPresent()) {
      return new IptablesBackend(new IptablesCommandKernel(runner, flavour.get()));
    }
    IptablesBackend nft =
        new IptablesBackend(new IptablesCommandKernel(runner, IptablesFlavour.NFT));
    if (legacyTablesInUse(runner)) {
      IptablesBackend legacy =
          new IptablesBackend(new IptablesCommandKernel(runner, IptablesFlavour.LEGACY));
      if (legacy.installedQuietly() && !nft.installedQuietly()) {
        return legacy;
      }
    }
    return nft;
  }

  /** True when the kernel has legacy nat or filter tables in this network namespace. */
  private static boolean legacyTablesInUse(CommandRunner runner) {
    for (String names : List.of("/proc/net/ip_tables_names", "/proc/net/ip6_tables_names")) {
      try {
        CommandResult result = runner.run(List.of("cat", names));
        if (result.succeeded()
            && result.stdout().lines().anyMatch(t -> t.equals("nat") || t.equals("filter"))) {
          return true;
        }
      } catch (IOException e) {
        // No such file: the legacy modules are not loaded.
      }
    }
    return false;
  }

  private boolean installedQuietly() {
    try {
      return kernelUsable() && isInstalled();
    } catch (BackendException e) {
      return false;
    }
  }

  private boolean kernelUsable() {
    try {
      kernel.probe(IpFamily.IPV4);
      return true;
    } catch (BackendException e) {
      return false;
    }
  }

  @Override
  public String name() {
    return "iptables";
  }

  @Override
  public void requireUsable() throws BackendException {
    kernel.probe(IpFamily.IPV4);
  }

  @Override
  public boolean isInstalled() throws BackendException {
    for (IpFamily family : IpFamily.values()) {
      Optional<FamilyState> state = read(family, /* required= */ false);
      if (state.isPresent() && state.get().holdsPortfwd()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Plan plan(DesiredState desired) throws BackendException {
    DesiredState wanted = kernelFormOf(desired);
    List<CompiledForward> current = new ArrayList<>();
    StringBuilder script = new StringBuilder();
    for (IpFamily family : IpFamily.values()) {
      Optional<FamilyState> read = read(family, /* required= */ wanted.uses(family));
      if (read.isEmpty()) {
        continue;
      }
      FamilyState state = read.get();
      state.forwards().forEach(f -> current.add(f.forward()));
      if (!wanted.uses(family)) {
        script.append(removal(family, state));
        continue;
      }
      Map<String, Map<String, List<List<String>>>> rules =
          RuleRenderer.render(family, wanted.forwards());
      for (String table : Chains.TABLES) {
        SavedTable saved = state.table(table);
        if (!matches(saved, table, rules.get(table))) {
          script
              .append(RestoreScript.header(kernel.flavour(), family))
              .append(RestoreScript.rebuild(table, rules.get(table), saved));
        }
      }
    }
    return new Plan(name(), wanted, Plan.diff(current, wanted.forwards()), script.toString());
  }

  /**
   * True when {@code saved} holds exactly {@code chains}' rules in portfwd's chains and one jump
   * each.
   */
  private static boolean matches(
      SavedTable saved, String table, Map<String, List<List<String>>> chains) {
    for (String chain : Chains.own(table)) {
      if (!saved.chains().contains(chain)
          || !saved.words(chain).equals(chains.getOrDefault(chain, List.of()))) {
        return false;
      }
    }
    for (Map.Entry<String, String> jump : Chains.jumps(table).entrySet()) {
      if (saved.jumpCount(jump.getKey(), jump.getValue()) != 1) {
        return false;
      }
    }
    return saved.ownChains().size() == Chains.own(table).size();
  }

  @Override
  public void apply(Plan plan) throws BackendException {
    if (plan.isEmpty()) {
      return;
    }
    List<Block> blocks = blocks(plan.script());
    // Check every block before changing any table, so a refused rule changes nothing at all.
    for (Block block : blocks) {
      try {
        kernel.restore(block.family(), block.text(), /* test= */ true);
      } catch (BackendException e) {
        throw new BackendException(
            "portfwd's rules for the "
                + block.label()
                + " table were refused ("
                + e.getMessage()
                + "); nothing was changed",
            e);
      }
    }
    // Each restore changes one table atomically, but not the next: keep what each table held, to
    // put back the ones already changed when a later one fails (another program may take the
    // xtables lock in between, longer than the restore waits for it).
    List<SavedTable> before = new ArrayList<>();
    for (Block block : blocks) {
      try {
        before.add(SavedTable.parse(block.table(), kernel.save(block.family(), block.table())));
      } catch (BackendException | RuntimeException e) {
        throw new BackendException(e.getMessage() + "; nothing was changed", e);
      }
    }
    for (int k = 0; k < blocks.size(); k++) {
      try {
        kernel.restore(blocks.get(k).family(), blocks.get(k).text(), /* test= */ false);
      } catch (BackendException failure) {
        throw undo(blocks, before, k, failure);
      }
    }
  }

  /**
   * After block {@code failed} failed: puts back every table of blocks 0..{@code failed} whose
   * portfwd chains differ from {@code before} (the failed block's own table too, which a restore
   * stopped at its time limit may have changed), and says in one line what the host holds now.
   */
  private BackendException undo(
      List<Block> blocks, List<SavedTable> before, int failed, BackendException failure) {
    List<String> restored = new ArrayList<>();
    List<String> stuck = new ArrayList<>();
    String firstProblem = null;
    for (int i = failed; i >= 0; i--) {
      Block block = blocks.get(i);
      try {
        SavedTable now =
            SavedTable.parse(block.table(), kernel.save(block.family(), block.table()));
        Optional<String> revert = RestoreScript.revert(now, before.get(i));
        if (revert.isPresent()) {
          kernel.restore(block.family(), revert.get(), /* test= */ false);
          restored.add(0, block.label());
        }
      } catch (BackendException | RuntimeException e) {
        stuck.add(0, block.label());
        firstProblem = firstProblem == null ? e.getMessage() : firstProblem;
      }
    }
    String what =
        "changing the "
            + blocks.get(failed).label()
            + " table failed ("
            + failure.getMessage()
            + ")";
    String outcome;
    if (stuck.isEmpty() && restored.isEmpty()) {
      outcome = "nothing was changed";
    } else if (stuck.isEmpty()) {
      outcome =
          "the "
              + and(restored)
              + (restored.size() == 1
                  ? " table, already changed, was"
                  : " tables, already changed, were")
              + " put back: portfwd's rules are as before";
    } else {
      outcome =
          "putting back the "
              + and(stuck)
              + (stuck.size() == 1 ? " table" : " tables")
              + " failed too ("
              + firstProblem
              + "), so "
              + (stuck.size() == 1 ? "it may hold" : "they may hold")
              + " portfwd's new rules and the other tables the old ones: run the command again";
    }
    return new BackendException(what + "; " + outcome, failure);
  }

  private static String and(List<String> items) {
    if (items.size() == 1) {
      return items.get(0);
    }
    return String.join(", ", items.subList(0, items.size() - 1))
        + " and "
        + items.get(items.size() - 1);
  }

  /** One {@code *table … COMMIT} input for {@code family}'s restore program. */
  private record Block(IpFamily family, String table, String text) {
    /** {@code IPv4 nat}. */
    String label() {
      return (family == IpFamily.IPV4 ? "IPv4 " : "IPv6 ") + table;
    }
  }

  private List<Block> blocks(String script) throws BackendException {
    List<Block> blocks = new ArrayList<>();
    IpFamily family = null;
    StringBuilder text = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      Optional<IpFamily> header = headerFamily(line);
      if (header.isPresent()) {
        if (family != null) {
          blocks.add(block(family, text.toString()));
        }
        family = header.get();
        text.setLength(0);
      } else if (family == null && !line.isBlank()) {
        throw new BackendException(
            "this plan was made for another iptables flavour than "
                + kernel.flavour().restore(IpFamily.IPV4)
                + "; plan again");
      } else if (!line.isEmpty()) {
        text.append(line).append('\n');
      }
    }
    if (family != null) {
      blocks.add(block(family, text.toString()));
    }
    return blocks;
  }

  /** The block of {@code text}, which names one table ({@code *nat}) as every plan's blocks do. */
  private static Block block(IpFamily family, String text) throws BackendException {
    List<String> tables =
        text.lines().filter(l -> l.startsWith("*")).map(l -> l.substring(1).strip()).toList();
    if (tables.size() != 1) {
      throw new BackendException(
          "this plan's iptables script has a block for " + tables.size() + " tables; plan again");
    }
    return new Block(family, tables.get(0), text);
  }

  private Optional<IpFamily> headerFamily(String line) {
    for (IpFamily family : IpFamily.values()) {
      if ((line + "\n").equals(RestoreScript.header(kernel.flavour(), family))) {
        return Optional.of(family);
      }
    }
    return Optional.empty();
  }

  @Override
  public List<LiveForward> status() throws BackendException {
    List<LiveForward> forwards = new ArrayList<>();
    for (IpFamily family : IpFamily.values()) {
      read(family, /* required= */ family == IpFamily.IPV4)
          .ifPresent(s -> forwards.addAll(s.forwards()));
    }
    forwards.sort((a, b) -> CompiledForward.ORDER.compare(a.forward(), b.forward()));
    return forwards;
  }

  @Override
  public Plan planRemove() throws BackendException {
    List<ForwardChange> changes = new ArrayList<>();
    StringBuilder script = new StringBuilder();
    for (IpFamily family : IpFamily.values()) {
      Optional<FamilyState> state = read(family, /* required= */ family == IpFamily.IPV4);
      if (state.isPresent()) {
        state.get().forwards().forEach(f -> changes.add(ForwardChange.remove(f.forward())));
        script.append(removal(family, state.get()));
      }
    }
    return new Plan(name(), DesiredState.empty(), changes, script.toString());
  }

  /** {@link #planRemove()}'s blocks, without decoding portfwd's rules into forwards. */
  @Override
  public Plan planRemoveAll() throws BackendException {
    StringBuilder script = new StringBuilder();
    for (IpFamily family : IpFamily.values()) {
      Optional<FamilyState> state = read(family, /* required= */ family == IpFamily.IPV4);
      if (state.isPresent()) {
        script.append(removal(family, state.get()));
      }
    }
    return new Plan(name(), DesiredState.empty(), List.of(), script.toString());
  }

  /**
   * Blocks deleting portfwd's chains and jumps of {@code family}: nat first, so no DNAT outlives
   * its accept.
   */
  private String removal(IpFamily family, FamilyState state) {
    StringBuilder script = new StringBuilder();
    for (String table : List.of(Chains.NAT, Chains.FILTER)) {
      if (state.table(table).holdsPortfwd()) {
        script
            .append(RestoreScript.header(kernel.flavour(), family))
            .append(RestoreScript.remove(state.table(table)));
      }
    }
    return script.toString();
  }

  /**
   * {@code desired} as iptables will hold it: descriptions made fit for comments, and masquerade
   * decided per backend tuple (see {@link BackendTargets#effective}).
   */
  @Override
  public DesiredState kernelForm(DesiredState desired) {
    return kernelFormOf(desired);
  }

  /** {@link #kernelForm}, for callers without a backend. */
  static DesiredState kernelFormOf(DesiredState desired) {
    List<CompiledForward> forwards =
        desired.forwards().stream()
            .map(f -> f.withDescription(RestoreText.comment(f.description())))
            .toList();
    return new DesiredState(BackendTargets.effective(forwards));
  }

  /** Both tables of one family as dumped now. */
  private record FamilyState(IpFamily family, SavedTable nat, SavedTable filter) {
    SavedTable table(String name) {
      return name.equals(Chains.NAT) ? nat : filter;
    }

    boolean holdsPortfwd() {
      return nat.holdsPortfwd() || filter.holdsPortfwd();
    }

    List<LiveForward> forwards() {
      return RuleDecoder.decode(family, nat);
    }
  }

  /**
   * Dumps {@code family}'s tables. When the family's programs do not work (no ip6tables, no IPv6 in
   * the kernel) that is an error only if {@code required}; otherwise nothing can be installed there
   * and the family is skipped.
   */
  private Optional<FamilyState> read(IpFamily family, boolean required) throws BackendException {
    String nat;
    String filter;
    try {
      nat = kernel.save(family, Chains.NAT);
      filter = kernel.save(family, Chains.FILTER);
    } catch (BackendException e) {
      if (required) {
        throw e;
      }
      return Optional.empty();
    }
    try {
      return Optional.of(
          new FamilyState(
              family, SavedTable.parse(Chains.NAT, nat), SavedTable.parse(Chains.FILTER, filter)));
    } catch (RuntimeException e) {
      throw new BackendException(
          "cannot read " + kernel.flavour().save(family) + " output: " + e.getMessage(), e);
    }
  }
}
