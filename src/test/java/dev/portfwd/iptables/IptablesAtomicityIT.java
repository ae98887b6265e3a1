package dev.portfwd.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portfwd.backend.BackendException;
import dev.portfwd.backend.Plan;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.testing.Tables;
import dev.portfwd.testing.Topology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The legacy iptables backend against the real kernel and the real xtables lock, when another
 * program takes the lock between portfwd's filter and nat restores: the filter table, already
 * changed, is put back, and the message says what the host holds.
 *
 * <p>The lock is a file of the test's own ({@code XTABLES_LOCKFILE}, which iptables 1.8.9 honours)
 * rather than {@code /run/xtables.lock}: {@code ip netns exec} shares {@code /run} with the
 * machine, so holding the real lock would stall every legacy iptables command on it.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class IptablesAtomicityIT {

  private static final String TABLE = "13102 192.0.2.2 80 tcp\n13103 192.0.2.3 80 tcp\n";
  private static final String CHANGED = "13102 192.0.2.2 80 tcp\n13103 192.0.2.9 81 tcp\n";
  private static final String LOCKED =
      "iptables-legacy-restore: Another app is currently holding the xtables lock."
          + " Stopped waiting after 1s.";

  @TempDir Path dir;

  /**
   * The gateway's programs with {@code XTABLES_LOCKFILE} set; once {@link #arm armed}, another
   * program takes the lock right after the next real restore succeeded, and lets it go after the
   * restore after that failed (or never, for {@code keepHolding}).
   */
  private static final class LockTaker implements CommandRunner {
    private final Topology topology;
    private final CommandRunner gateway;
    private final Path lock;
    private boolean armed;
    private boolean keepHolding;
    private int restores;
    private Process holder;

    LockTaker(Topology topology, Path lock) {
      this.topology = topology;
      this.gateway = topology.runner("gateway");
      this.lock = lock;
    }

    void arm(boolean keepHolding) {
      this.armed = true;
      this.keepHolding = keepHolding;
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) throws IOException {
      List<String> command = new ArrayList<>(List.of("env", "XTABLES_LOCKFILE=" + lock));
      command.addAll(argv);
      CommandResult result = gateway.run(command, stdin);
      if (armed && argv.get(0).endsWith("-restore") && !argv.contains("--test")) {
        restores++;
        if (restores == 1 && result.succeeded()) {
          hold();
        } else if (restores == 2 && !result.succeeded() && !keepHolding) {
          release();
        }
      }
      return result;
    }

    @Override
    public boolean isInstalled(String program) {
      return gateway.isInstalled(program);
    }

    /** Another program takes the lock; returns once it holds it. */
    private void hold() throws IOException {
      holder = topology.spawn("gateway", "flock", "--close", lock.toString(), "sleep", "60");
      awaitLock(/* held= */ true);
    }

    void release() throws IOException {
      if (holder != null) {
        holder.descendants().forEach(ProcessHandle::destroyForcibly);
        holder.destroyForcibly();
        holder = null;
        awaitLock(/* held= */ false);
      }
    }

    private void awaitLock(boolean held) throws IOException {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline) {
        boolean free =
            gateway.run(List.of("flock", "--nonblock", lock.toString(), "true")).succeeded();
        if (free != held) {
          return;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      throw new AssertionError("the test's xtables lock was not " + (held ? "taken" : "freed"));
    }
  }

  /** portfwd's lines of the legacy IPv4 tables, counters aside. */
  private static String portfwdRules(Topology topology) {
    return topology
        .exec("gateway", "iptables-legacy-save")
        .stdout()
        .lines()
        .filter(l -> l.contains("PORTFWD"))
        .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", ""))
        .collect(Collectors.joining("\n"));
  }

  @Test
  void theFilterTableIsPutBackWhenTheNatTableCannotBeChanged() throws Exception {
    try (Topology topology = Topology.reference()) {
      LockTaker runner = new LockTaker(topology, dir.resolve("xtables.lock"));
      IptablesBackend backend =
          new IptablesBackend(
              new IptablesCommandKernel(runner, IptablesFlavour.LEGACY, Duration.ofSeconds(1)));
      backend.apply(backend.plan(Tables.compile(TABLE)));
      String before = portfwdRules(topology);
      Plan change = backend.plan(Tables.compile(CHANGED));
      runner.arm(/* keepHolding= */ false);

      assertThatThrownBy(() -> backend.apply(change))
          .isInstanceOf(BackendException.class)
          .hasMessage(
              "changing the IPv4 nat table failed ("
                  + LOCKED
                  + "); the IPv4 filter table, already changed, was put back: portfwd's rules are"
                  + " as before");

      assertThat(portfwdRules(topology)).isEqualTo(before);
      assertThat(backend.plan(Tables.compile(TABLE)).isEmpty()).isTrue();
    }
  }

  @Test
  void theMessageSaysSoWhenTheFilterTableCannotBePutBackEither() throws Exception {
    try (Topology topology = Topology.reference()) {
      LockTaker runner = new LockTaker(topology, dir.resolve("xtables.lock"));
      IptablesBackend backend =
          new IptablesBackend(
              new IptablesCommandKernel(runner, IptablesFlavour.LEGACY, Duration.ofSeconds(1)));
      backend.apply(backend.plan(Tables.compile(TABLE)));
      Plan change = backend.plan(Tables.compile(CHANGED));
      runner.arm(/* keepHolding= */ true);

      assertThatThrownBy(() -> backend.apply(change))
          .hasMessage(
              "changing the IPv4 nat table failed ("
                  + LOCKED
                  + "); putting back the IPv4 filter table failed too ("
                  + LOCKED
                  + "), so it may hold portfwd's new rules and the other tables the old ones: run"
                  + " the command again");
      assertThat(portfwdRules(topology))
          .contains("--ctreplsrc 192.0.2.9 --ctreplsrcport 81 -j ACCEPT")
          .contains("--to-destination 192.0.2.3:80")
          .doesNotContain("--to-destination 192.0.2.9:81");

      runner.release();
      backend.apply(backend.plan(Tables.compile(CHANGED)));
      assertThat(portfwdRules(topology)).contains("--to-destination 192.0.2.9:81");
      assertThat(backend.plan(Tables.compile(CHANGED)).isEmpty()).isTrue();
    }
  }
}
