package dev.portfwd.cli;

import dev.portfwd.apply.Plan;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.state.ForwardingSysctls;
import dev.portfwd.state.Restorer;
import dev.portfwd.state.Snapshot;
import dev.portfwd.state.StateDir;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * The {@code --state-dir} option of every command that reads or records what portfwd applied
 * ({@code apply}, {@code status}, {@code confirm}, {@code rollback}, {@code watch}), with the
 * helpers they share.
 */
final class StateOptions {

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where portfwd records what it applied, for rollback and status (default: $"
          + StateDir.ENV + " or " + StateDir.DEFAULT + ").")
  Path stateDir;

  StateStore store() {
    return new StateStore(StateDir.resolve(Optional.ofNullable(stateDir)));
  }

  /** The restorer for {@code session}'s backend; clears stale UDP conntrack entries after each restore. */
  static Restorer restorer(StateStore store, KernelSession session, PrintWriter err) {
    Consumer<Plan> afterApply = plan -> ApplyCommand.cleanConntrack(session, plan, err);
    return new Restorer(store, session.backend, new ForwardingSysctls(session.runner), afterApply);
  }

  /**
   * What portfwd last applied with {@code backend} according to {@code store}, for {@link
   * dev.portfwd.apply.Backend#plan(DesiredState, Optional)}; empty when there is no such record or
   * it cannot be read (the plan then reads the kernel, as it always may).
   */
  static Optional<DesiredState> lastApplied(StateStore store, String backend) {
    try {
      return store.current().map(StateStore.Entry::snapshot)
          .filter(snapshot -> snapshot.backend().equals(backend))
          .map(Snapshot::forwards);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** How a table location is recorded: an absolute file name, or {@code standard input}. */
  static String source(String table) {
    return table.equals("-") ? "standard input" : Path.of(table).toAbsolutePath().normalize().toString();
  }
}
