package dev.portfwd.doctor;

import dev.portfwd.backend.Backend;
import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.ForwardChange;
import dev.portfwd.backend.LiveForward;
import dev.portfwd.backend.Plan;
import dev.portfwd.compile.CompileException;
import dev.portfwd.compile.CompiledForward;
import dev.portfwd.compile.Compiler;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.ProxyProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link InstalledRules} through a kernel {@link Backend}: the differences are exactly what {@code
 * portfwd plan TABLE} would print, so doctor and plan never disagree. Only reads.
 */
public final class BackendInstalledRules implements InstalledRules {

  /** The source name of a table built from the installed rules. */
  public static final String INSTALLED = "installed rules";

  private final Backend backend;

  public BackendInstalledRules(Backend backend) {
    this.backend = backend;
  }

  @Override
  public InstalledState inspect(Optional<ForwardTable> table) {
    String how = "the " + backend.name() + " backend";
    try {
      boolean installed = backend.isInstalled();
      if (table.isEmpty() || table.get().isEmpty() || table.get().source().equals(INSTALLED)) {
        return new InstalledState(true, installed, Optional.empty(), how);
      }
      Plan plan = backend.plan(Compiler.compile(table.get()));
      List<String> differences =
          new ArrayList<>(plan.changes().stream().map(ForwardChange::describe).toList());
      if (differences.isEmpty() && !plan.isEmpty()) {
        differences.add("portfwd's own " + backend.name() + " objects need rebuilding");
      }
      return new InstalledState(true, installed, Optional.of(differences), how);
    } catch (CompileException e) {
      // The kernel cannot serve some lines (proxy-protocol, mixed families): apply says so too.
      return new InstalledState(
          true, true, Optional.empty(), how + " (not compared: " + e.problems().get(0) + ")");
    } catch (BackendException e) {
      return InstalledState.unreadable("cannot read portfwd's installed rules: " + e.getMessage());
    }
  }

  @Override
  public ForwardTable installedForwards() {
    List<Forward> forwards = new ArrayList<>();
    try {
      for (LiveForward counters : backend.status()) {
        CompiledForward f = counters.forward();
        forwards.add(
            new Forward(
                    forwards.size() + 1,
                    f.externalAddress(),
                    f.externalPorts(),
                    f.backend(),
                    f.backendPorts(),
                    Set.of(f.protocol()),
                    f.allowedSources(),
                    f.masquerade(),
                    ProxyProtocol.NONE,
                    f.description())
                .withSnat(f.snat()));
      }
    } catch (BackendException e) {
      return new ForwardTable(INSTALLED, List.of());
    }
    return new ForwardTable(INSTALLED, forwards);
  }
}
