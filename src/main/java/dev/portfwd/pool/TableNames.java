package dev.portfwd.pool;

import dev.portfwd.model.BackendSpec;
import dev.portfwd.model.Forward;
import dev.portfwd.model.ForwardTable;
import dev.portfwd.model.IpFamily;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves every backend name of a table once: what a one-shot {@code apply}, {@code plan}, {@code
 * check} or {@code doctor} does (the service re-resolves on its own, see {@link BackendMonitor}).
 */
public final class TableNames {

  private TableNames() {}

  /** A name of line {@code forward.line()} that did not resolve, and why. */
  public record Failure(Forward forward, String name, String why) {}

  /**
   * What the names resolved to.
   *
   * @param names each resolved name's addresses
   * @param failures one per line and name that did not resolve, in table order
   */
  public record Resolved(Map<String, List<InetAddress>> names, List<Failure> failures) {

    public Resolved {
      names = Map.copyOf(names);
      failures = List.copyOf(failures);
    }

    /** The table with every backend resolved; forwards with a failed name are left out. */
    public ForwardTable table(ForwardTable written) {
      return Rotation.effective(written, names, Map.of());
    }
  }

  /** Asks {@code resolver} once for each distinct name (and IP version) of {@code table}. */
  public static Resolved resolve(ForwardTable table, NameResolver resolver) {
    Map<String, Resolution> asked = new LinkedHashMap<>();
    Map<String, List<InetAddress>> names = new HashMap<>();
    List<Failure> failures = new ArrayList<>();
    for (Forward forward : table.forwards()) {
      if (!forward.pool().hasNames()) {
        continue;
      }
      IpFamily family = Rotation.familyFor(forward);
      boolean failed = false;
      for (BackendSpec spec : forward.pool().written()) {
        if (!spec.isName()) {
          continue;
        }
        Resolution resolution =
            asked.computeIfAbsent(
                spec.text() + "/" + family, key -> resolver.resolve(spec.text(), family));
        if (resolution.ok()) {
          names.merge(spec.text(), resolution.addresses(), TableNames::union);
        } else {
          failures.add(new Failure(forward, spec.text(), resolution.error().get()));
          failed = true;
        }
      }
      if (!failed && Rotation.members(forward, names).isEmpty()) {
        failures.add(
            new Failure(
                forward,
                forward.pool().writtenText(),
                "no address of the forward's IP version (" + family + ")"));
      }
    }
    return new Resolved(names, failures);
  }

  private static List<InetAddress> union(List<InetAddress> a, List<InetAddress> b) {
    List<InetAddress> all = new ArrayList<>(a);
    b.stream().filter(x -> !all.contains(x)).forEach(all::add);
    return all;
  }
}
