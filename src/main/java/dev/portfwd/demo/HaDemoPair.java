package dev.portfwd.demo;

import dev.portfwd.compile.DesiredState;
import dev.portfwd.engine.ApplyRequest;
import dev.portfwd.engine.Engine;
import dev.portfwd.engine.EngineException;
import dev.portfwd.ha.HaPaths;
import dev.portfwd.host.CommandResult;
import dev.portfwd.nft.NftBackend;
import dev.portfwd.nft.NftCommandKernel;
import dev.portfwd.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the HA demo and the failover tests do to one gateway of an {@link HaDemoNetwork}: apply the
 * table through the engine, start keepalived and conntrackd with its files, kill it (links down,
 * every process in its namespace killed), bring it back, and wait for a VRRP state or for
 * conntrackd to hold the forwarded connection.
 */
public final class HaDemoPair {

  static final long STATE_WAIT_MILLIS = 20_000;

  /** The forwarded port the demo's connection uses. */
  public static final int FORWARDED_PORT = 13102;

  private HaDemoPair() {}

  public static void apply(
      HaDemoNetwork network, String gw, DesiredState desired, Path stateDir, Consumer<String> out)
      throws IOException, EngineException {
    Files.createDirectories(stateDir);
    Engine engine =
        Engine.forHost(
            new NftBackend(new NftCommandKernel(network.runner(gw))),
            network.runner(gw),
            new StateStore(stateDir),
            Engine.NO_TIMER,
            out);
    engine
        .apply(
            new ApplyRequest(
                desired,
                "demo.table",
                /* useRecord= */ true,
                /* managesSysctls= */ true,
                Optional.empty()))
        .plan()
        .changes()
        .forEach(change -> out.accept(change.describe()));
  }

  public static void startDaemons(HaDemoNetwork network, String gw, HaPaths p) throws IOException {
    // Left by a killed gateway; keepalived would take a reused pid for a running daemon.
    Files.deleteIfExists(p.conntrackdLock());
    Files.deleteIfExists(p.keepalivedPid());
    Files.deleteIfExists(p.vrrpPid());
    check(network.runner(gw).run(List.of("conntrackd", "-C", p.conntrackdConf().toString(), "-d")));
    startKeepalived(network, gw, p, p.runDir());
  }

  /**
   * Starts keepalived alone, as a boot does: its notify hook then starts conntrackd. Its pid files
   * and log go to {@code files}.
   */
  public static void startKeepalived(HaDemoNetwork network, String gw, HaPaths p, Path files)
      throws IOException {
    // In the foreground, its log in the run folder: this keepalived has no log-file option, and
    // the namespaces have no syslog.
    network.spawn(
        gw,
        List.of(
            "sh",
            "-c",
            "exec /usr/sbin/keepalived --vrrp --dont-fork --log-console --log-detail --use-file "
                + p.keepalivedConf()
                + " --pid "
                + files.resolve(p.keepalivedPid().getFileName())
                + " --vrrp_pid "
                + files.resolve(p.vrrpPid().getFileName())
                + " >>"
                + files.resolve("keepalived.log")
                + " 2>&1"));
  }

  public static long kill(HaDemoNetwork network, String gw, HaPaths p) throws IOException {
    long killed = System.currentTimeMillis();
    network.shIn(gw, "ip link set wan down && ip link set vpn down && ip link set sync down");
    for (long pid : network.pids(gw)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    for (long pid : network.pids(gw)) {
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    }
    Files.deleteIfExists(p.vrrpState());
    return killed;
  }

  public static void revive(HaDemoNetwork network, String gw, HaPaths p) throws IOException {
    network.shIn(gw, "ip link set wan up && ip link set vpn up && ip link set sync up");
    startDaemons(network, gw, p);
  }

  public static void awaitState(HaPaths p, String wanted) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + HaDemoPair.STATE_WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      if (state(p).equals(wanted)) {
        return;
      }
      Thread.sleep(10);
    }
    throw new IOException(
        p.configDir().getParent().getFileName()
            + " did not become "
            + wanted
            + " within "
            + HaDemoPair.STATE_WAIT_MILLIS / 1000
            + " s (it is "
            + state(p)
            + ")");
  }

  public static String state(HaPaths p) throws IOException {
    return Files.exists(p.vrrpState()) ? Files.readString(p.vrrpState()).strip() : "unknown";
  }

  /** Waits until {@code gw}'s conntrackd holds the forwarded connection in its external cache. */
  public static void awaitSynced(HaDemoNetwork network, String gw, HaPaths p)
      throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + HaDemoPair.STATE_WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      // The copy waits in conntrackd's external cache until the notify hook commits it; with
      // DisableExternalCache it would sit in the kernel's table at once. Either counts.
      String port = Integer.toString(HaDemoPair.FORWARDED_PORT);
      String kernel =
          network.runner(gw).run(List.of("conntrack", "-L", "-p", "tcp", "--dport", port)).stdout();
      String cache =
          network
              .runner(gw)
              .run(List.of("conntrackd", "-C", p.conntrackdConf().toString(), "-e"))
              .stdout();
      for (String copy : List.of(kernel, cache)) {
        if (copy.contains("dport=" + port) && copy.contains("ESTABLISHED")) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new IOException(
        gw
            + "'s kernel did not receive the connection from conntrackd within "
            + HaDemoPair.STATE_WAIT_MILLIS / 1000
            + " s");
  }

  private static void check(CommandResult result) throws IOException {
    if (!result.succeeded()) {
      throw new IOException(result.describeFailure());
    }
  }
}
