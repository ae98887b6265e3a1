package dev.portfwd.backend;

import dev.portfwd.compile.DesiredState;
import java.util.List;
import java.util.Optional;

/**
 * A kernel backend: installs a {@link DesiredState} into its own part of the kernel's ruleset and
 * reads back what is installed. Implemented by nftables ({@code dev.portfwd.nft}) and iptables.
 *
 * <p>Contract shared by every implementation:
 *
 * <ul>
 *   <li>Everything it installs lives in objects it owns; nothing else is created, flushed,
 *       reordered or deleted.
 *   <li>{@link #plan} only reads. {@link #apply} applies one plan as one atomic transaction per
 *       kernel table: afterwards the kernel holds the old or the new forwards, never a mix.
 *   <li>State is read from the kernel, never from the table file, so {@link #status} and {@link
 *       #planRemove} work after the table file is gone. The one shortcut: a plan may take the live
 *       forwards from portfwd's own record of its last apply when the kernel proves it still holds
 *       exactly that record (see {@link #plan(DesiredState, Optional)}).
 *   <li>Applying the state just applied gives a plan with {@link Plan#isEmpty()}.
 * </ul>
 *
 * Host checks that are not specific to a backend (root, ip_forward, conntrack) live in this package
 * and run around the backend calls.
 */
public interface Backend {

  /** The name users pass to {@code --backend} ({@code nftables}, {@code iptables}). */
  String name();

  /**
   * Fails when this backend cannot work on this host: its tool is missing or does not answer.
   * Called before anything is read or changed.
   *
   * @throws BackendException with a one-line message saying what to install or do
   */
  void requireUsable() throws BackendException;

  /** True when this backend finds portfwd's objects in the kernel (for {@code --backend auto}). */
  boolean isInstalled() throws BackendException;

  /**
   * Reads the live state and computes what {@link #apply} would change to reach {@code desired}:
   * per-forward changes for people and the exact backend script.
   */
  Plan plan(DesiredState desired) throws BackendException;

  /**
   * Like {@link #plan(DesiredState)}, given {@code recorded}: the desired state of the last plan
   * portfwd applied with this backend, as its state directory recorded it. A backend may take the
   * live state from it when the kernel proves it still holds exactly that (nftables stores a digest
   * for this), which saves reading every element; otherwise it reads the kernel.
   */
  default Plan plan(DesiredState desired, Optional<DesiredState> recorded) throws BackendException {
    return plan(desired);
  }

  /**
   * False when {@link #plan(DesiredState, Optional)} would not use any record now (this backend
   * keeps no proof of its last transaction in the kernel, or the kernel holds none), so a caller
   * can skip reading and parsing one (a first apply of a large table need not parse an old record;
   * bench/RESULTS.md, "cold-start tricks", has the figure).
   */
  default boolean mayUseRecord() throws BackendException {
    return false;
  }

  /**
   * A cheap look at portfwd's objects for {@code watch} between full drift checks (a full check is
   * a {@link #plan}); {@link DriftProbe#NONE} when this backend has none.
   */
  default DriftProbe driftProbe() {
    return DriftProbe.NONE;
  }

  /** Applies {@code plan} atomically; an empty plan does nothing. */
  void apply(Plan plan) throws BackendException;

  /**
   * {@code desired} as this backend installs it and reads it back (descriptions cut to what the
   * kernel keeps, masquerade as it takes effect): what {@link #status} lists when the kernel holds
   * exactly {@code desired}.
   */
  default DesiredState kernelForm(DesiredState desired) {
    return desired;
  }

  /** The installed forwards with their counters, read from the kernel. */
  List<LiveForward> status() throws BackendException;

  /**
   * Plans removing everything portfwd installed: every forward becomes a removal and the script
   * deletes portfwd's own objects. Empty when nothing is installed.
   */
  Plan planRemove() throws BackendException;

  /**
   * Plans removing everything portfwd installed without reading its forwards: the script of {@link
   * #planRemove()} (portfwd's own objects deleted) with no per-forward changes. For restoring the
   * empty state, where reading every forward back (a listing of 100,000 nftables elements) would
   * cost more time and memory than deleting them. Empty when nothing of portfwd's is installed.
   */
  Plan planRemoveAll() throws BackendException;
}
