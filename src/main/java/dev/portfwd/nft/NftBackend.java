package dev.portfwd.nft;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.DriftProbe;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.model.IpFamily;
import dev.portfwd.model.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The nftables backend: everything in {@code table inet portfwd}, forwards as map elements.
 *
 * <p>A plan reads the table, decodes its elements to forwards and diffs them per forward against
 * the desired ones for people, and per element for the kernel: the script deletes the elements that
 * differ and adds the missing ones, so changing one forward among 10,000 sends a few lines. A
 * missing table, or one from another ruleset version, is (re)built whole in the same transaction.
 * Nothing outside portfwd's table is ever named.
 */
public final class NftBackend implements Backend {

  private final NftKernel kernel;

  public NftBackend(NftKernel kernel) {
    this.kernel = kernel;
  }

  @Override
  public String name() {
    return "nftables";
  }

  @Override
  public void requireUsable() throws BackendException {
    try {
      kernel.probe();
    } catch (NftCommandException e) {
      throw new BackendException(e.getMessage(), e);
    }
  }

  @Override
  public boolean isInstalled() throws BackendException {
    return read(false).exists();
  }

  @Override
  public Plan plan(DesiredState desired) throws BackendException {
    return plan(desired, Optional.empty());
  }

  /**
   * Like {@link #plan(DesiredState)}, but when the kernel's {@link ElementDigest} is the digest of
   * {@code recorded}, the elements are taken from {@code recorded} instead of listing the table:
   * the kernel still holds what portfwd's last transaction left. Elements edited by hand since then
   * (the digest stays) are not seen this way; {@link #plan(DesiredState)} sees them.
   */
  @Override
  public Plan plan(DesiredState desired, Optional<DesiredState> recorded) throws BackendException {
    DesiredState wanted = kernelFormOf(desired);
    String digest = ElementDigest.of(wanted.forwards());
    if (recorded.isPresent()) {
      Optional<String> inKernel = readDigest();
      if (inKernel.isPresent()
          && inKernel.get().equals(ElementDigest.of(recorded.get().forwards()))) {
        return planFromRecord(recorded.get().forwards(), wanted, inKernel.get(), digest);
      }
    }
    Map<String, List<NftElement>> target = ElementCodec.encode(wanted.forwards());
    NftState state = read(false);
    // A table whose elements do not decode (edited by hand, or damaged) is rebuilt like one of
    // another version: still one transaction, and the plan shows every forward as added.
    List<CompiledForward> live = state.exists() ? decodable(state) : List.of();
    boolean patchable = state.isCurrentVersion() && live != null;
    List<ForwardChange> changes = Plan.diff(live == null ? List.of() : live, wanted.forwards());
    NftTransaction tx = new NftTransaction();
    if (!patchable) {
      if (state.exists()) {
        tx.add("delete table " + NftTransaction.TABLE);
      }
      Skeleton.addTo(tx, Skeleton.consulted(target));
      target.forEach((set, elements) -> tx.addElements(set, elements));
      Skeleton.markDigest(tx, digest);
    } else {
      Map<String, List<NftElement>> inKernel = elements(state);
      patch(tx, inKernel, target);
      Set<String> consulted = Skeleton.consulted(target);
      if (!Skeleton.consulted(inKernel).equals(consulted)) {
        Skeleton.relink(tx, consulted);
      }
      finish(tx, state.digest(), digest);
    }
    return new Plan(name(), wanted, changes, tx.toString());
  }

  /** True when portfwd's table carries a digest, which a record may match. */
  @Override
  public boolean mayUseRecord() throws BackendException {
    return readDigest().isPresent();
  }

  /**
   * The plan when the kernel holds exactly {@code live}: only the forwards that differ are encoded
   * and patched (each element belongs to one forward, as the table's clash rules guarantee), plus
   * the masquerade sets, which depend on all forwards together.
   */
  private Plan planFromRecord(
      List<CompiledForward> live, DesiredState wanted, String inKernel, String digest) {
    List<CompiledForward> gone = new ArrayList<>();
    List<CompiledForward> come = new ArrayList<>();
    differing(live, wanted.forwards(), gone, come);
    NftTransaction tx = new NftTransaction();
    if (!gone.isEmpty() || !come.isEmpty()) {
      Map<String, List<NftElement>> old = ElementCodec.encodeEach(gone);
      Map<String, List<NftElement>> target = ElementCodec.encodeEach(come);
      // Masquerade blocks merge per backend address and protocol: only the groups of the forwards
      // that differ can change, so only they are merged again, on both sides.
      if (hasSpread(live) || hasSpread(wanted.forwards())) {
        // A spread forward's backends fall in several groups: merge every group again.
        old.putAll(ElementCodec.masquerade(live));
        target.putAll(ElementCodec.masquerade(wanted.forwards()));
      } else {
        Set<BackendGroup> touched = new HashSet<>();
        gone.forEach(f -> touched.add(BackendGroup.of(f)));
        come.forEach(f -> touched.add(BackendGroup.of(f)));
        old.putAll(ElementCodec.masquerade(BackendGroup.within(live, touched)));
        target.putAll(ElementCodec.masquerade(BackendGroup.within(wanted.forwards(), touched)));
      }
      patch(tx, old, target);
      Set<String> consulted = Skeleton.consulted(wanted.forwards());
      if (!Skeleton.consulted(live).equals(consulted)) {
        Skeleton.relink(tx, consulted);
      }
      finish(tx, Optional.of(inKernel), digest);
    }
    return new Plan(name(), wanted, Plan.diff(gone, come), tx.toString());
  }

  private static boolean hasSpread(List<CompiledForward> forwards) {
    for (CompiledForward f : forwards) {
      if (f.spread().isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** The group {@link dev.portfwd.compile.BackendBlock#merge} merges masquerade blocks in. */
  private record BackendGroup(IpFamily family, InetAddress backend, Protocol protocol) {
    static BackendGroup of(CompiledForward f) {
      return new BackendGroup(f.family(), f.backend(), f.protocol());
    }

    static List<CompiledForward> within(List<CompiledForward> forwards, Set<BackendGroup> groups) {
      List<CompiledForward> in = new ArrayList<>();
      for (CompiledForward f : forwards) {
        if (groups.contains(of(f))) {
          in.add(f);
        }
      }
      return in;
    }
  }

  /**
   * Splits the forwards that are not in both lists into {@code gone} and {@code come}. Both come
   * from a {@link DesiredState}, so they are sorted by {@link CompiledForward#ORDER}, which orders
   * exactly by key, with one forward per key: one merge walk finds them, cheaper in a cold JVM than
   * hashing every forward into sets.
   */
  private static void differing(
      List<CompiledForward> live,
      List<CompiledForward> wanted,
      List<CompiledForward> gone,
      List<CompiledForward> come) {
    int i = 0;
    int j = 0;
    while (i < live.size() || j < wanted.size()) {
      int order =
          i == live.size()
              ? 1
              : j == wanted.size() ? -1 : CompiledForward.ORDER.compare(live.get(i), wanted.get(j));
      if (order < 0) {
        gone.add(live.get(i++));
      } else if (order > 0) {
        come.add(wanted.get(j++));
      } else {
        if (!live.get(i).equals(wanted.get(j))) {
          gone.add(live.get(i));
          come.add(wanted.get(j));
        }
        i++;
        j++;
      }
    }
  }

  /**
   * Ends a patch with the new digest. A patch with no element to change leaves the table as it is,
   * even when its digest is missing or stale: applying the same table twice sends nothing.
   */
  private static void finish(NftTransaction tx, Optional<String> inKernel, String digest) {
    if (!tx.isEmpty() && !inKernel.equals(Optional.of(digest))) {
      Skeleton.markDigest(tx, digest);
    }
  }

  private static Map<String, List<NftElement>> elements(NftState state) {
    Map<String, List<NftElement>> sets = new LinkedHashMap<>();
    state
        .sets()
        .forEach(
            (set, counted) ->
                sets.put(set, counted.stream().map(ElementCodec.Counted::element).toList()));
    return sets;
  }

  /** The forwards of {@code state}, or null when its elements are not what portfwd writes. */
  private static List<CompiledForward> decodable(NftState state) {
    try {
      return forwards(state);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Deletes elements that differ or are gone, then adds the missing ones (overlaps need that
   * order).
   */
  private static void patch(
      NftTransaction tx, Map<String, List<NftElement>> live, Map<String, List<NftElement>> target) {
    Map<String, List<NftElement>> adds = new LinkedHashMap<>();
    for (Map.Entry<String, List<NftElement>> entry : target.entrySet()) {
      String set = entry.getKey();
      Map<String, NftElement> current = new LinkedHashMap<>();
      for (NftElement element : live.getOrDefault(set, List.of())) {
        current.put(element.keyText(), element);
      }
      List<NftElement> toAdd = new ArrayList<>();
      for (NftElement wanted : entry.getValue()) {
        NftElement existing = current.remove(wanted.keyText());
        if (existing == null) {
          toAdd.add(wanted);
        } else if (!existing.equals(wanted)) {
          current.put(existing.keyText(), existing); // delete it below, then add the new one
          toAdd.add(wanted);
        }
      }
      tx.deleteElements(set, List.copyOf(current.values()));
      adds.put(set, toAdd);
    }
    adds.forEach(tx::addElements);
  }

  @Override
  public DriftProbe driftProbe() {
    return kernel.chainsProbe();
  }

  @Override
  public void apply(Plan plan) throws BackendException {
    if (plan.isEmpty()) {
      return;
    }
    try {
      kernel.run(plan.script());
    } catch (NftCommandException e) {
      // A patch deletes elements the plan saw (or its record said) were there: when one is gone,
      // the table changed behind portfwd's back since.
      throw new BackendException(
          e.kind() == NftCommandException.Kind.NOT_FOUND
              ? e.getMessage()
                  + "; portfwd's table no longer holds what this plan expected (changed by hand?):"
                  + " 'portfwd apply --reread' plans from a full listing of the kernel"
              : e.getMessage(),
          e);
    }
  }

  @Override
  public List<LiveForward> status() throws BackendException {
    NftState state = read(true);
    return ElementCodec.decode(state.sets());
  }

  @Override
  public Plan planRemove() throws BackendException {
    NftState state = read(false);
    if (!state.exists()) {
      return new Plan(name(), DesiredState.empty(), List.of(), "");
    }
    List<CompiledForward> live = decodable(state);
    List<ForwardChange> changes =
        live == null ? List.of() : live.stream().map(ForwardChange::remove).toList();
    NftTransaction tx = new NftTransaction().add("delete table " + NftTransaction.TABLE);
    return new Plan(name(), DesiredState.empty(), changes, tx.toString());
  }

  /** {@code delete table inet portfwd} when the table exists, asked without listing it. */
  @Override
  public Plan planRemoveAll() throws BackendException {
    boolean exists;
    try {
      exists = kernel.tableExists();
    } catch (NftCommandException e) {
      throw new BackendException(e.getMessage(), e);
    }
    String script =
        exists ? new NftTransaction().add("delete table " + NftTransaction.TABLE).toString() : "";
    return new Plan(name(), DesiredState.empty(), List.of(), script);
  }

  /**
   * {@code desired} as nft will hold it: descriptions made safe and cut for comments, and
   * masquerade decided per backend tuple (see {@link Masquerade#effective}).
   */
  @Override
  public DesiredState kernelForm(DesiredState desired) {
    return kernelFormOf(desired);
  }

  /** {@link #kernelForm}, for callers without a backend. */
  public static DesiredState kernelFormOf(DesiredState desired) {
    List<CompiledForward> forwards =
        desired.forwards().stream()
            .map(f -> f.withDescription(NftText.comment(f.description())))
            .toList();
    List<CompiledForward> effective = Masquerade.effective(forwards);
    if (effective == forwards && sameForwards(forwards, desired.forwards())) {
      return desired; // nothing cut, nothing masqueraded: already canonical, no second
      // normalisation
    }
    return new DesiredState(effective);
  }

  /** True when both lists hold the very same forward objects, in the same order. */
  private static boolean sameForwards(List<CompiledForward> a, List<CompiledForward> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  private static List<CompiledForward> forwards(NftState state) {
    return ElementCodec.decode(state.sets()).stream().map(LiveForward::forward).toList();
  }

  private Optional<String> readDigest() throws BackendException {
    try {
      return kernel.readDigest();
    } catch (NftCommandException e) {
      throw new BackendException(e.getMessage(), e);
    }
  }

  private NftState read(boolean counters) throws BackendException {
    try {
      var json = kernel.listTable(counters);
      return json.isEmpty() ? NftState.absent() : NftJson.parse(json.get());
    } catch (NftCommandException e) {
      throw new BackendException(e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new BackendException("cannot read portfwd's nftables table: " + e.getMessage(), e);
    }
  }
}
