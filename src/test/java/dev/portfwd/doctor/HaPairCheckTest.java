package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.ha.HaDescription;
import dev.portfwd.ha.HaDescriptionParser;
import dev.portfwd.ha.HaPaths;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.CommandRunner;
import dev.portfwd.table.TableParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code doctor --ha} on scripted host answers: what it says of each state of the pair. */
class HaPairCheckTest {

  private static final String PAIR =
      """
      virtual-public 203.0.113.1/24
      virtual-vpn 192.0.2.254/24
      router-id 51
      secret pairkey1
      gateway gw-a priority=150 public=203.0.113.2%wan vpn=192.0.2.1%vpn sync=198.51.100.1%sync
      gateway gw-b priority=100 public=203.0.113.3%wan vpn=192.0.2.3%vpn sync=198.51.100.2%sync
      """;

  private static final String MASTER_ADDRESSES =
      """
      [{"ifname":"wan","addr_info":[{"local":"203.0.113.2"},{"local":"203.0.113.1"}]},
       {"ifname":"vpn","addr_info":[{"local":"192.0.2.1"},{"local":"192.0.2.254"}]}]
      """;

  private static final String BACKUP_ADDRESSES =
      """
      [{"ifname":"wan","addr_info":[{"local":"203.0.113.2"}]},
       {"ifname":"vpn","addr_info":[{"local":"192.0.2.1"},{"local":"192.0.2.254"}]}]
      """;

  /** Answers ip and conntrackd; the received count grows by {@code step} per call. */
  private static CommandRunner host(String addresses, boolean conntrackd, int step) {
    AtomicInteger received = new AtomicInteger(10);
    return new CommandRunner() {
      @Override
      public CommandResult run(List<String> argv, String stdin) {
        if (argv.get(0).equals("ip")) {
          return new CommandResult(argv, 0, addresses, "");
        }
        if (!conntrackd) {
          return new CommandResult(argv, 1, "", "can't connect: is conntrackd running?");
        }
        int n = received.getAndAdd(step);
        return new CommandResult(
            argv,
            0,
            "UDP traffic (active device=sync):\n 64 Bytes sent 64 Bytes recv\n"
                + " 4 Pckts sent "
                + n
                + " Pckts recv\n",
            "");
      }

      @Override
      public boolean isInstalled(String program) {
        return true;
      }
    };
  }

  private static List<Finding> examine(CommandRunner runner, HaPaths paths, String table)
      throws InterruptedException {
    HaDescription pair = HaDescriptionParser.parse("pair.ha", PAIR).description().orElseThrow();
    return new HaPairCheck(runner, Duration.ZERO)
        .examine(
            pair,
            pair.gateway("gw-a").orElseThrow(),
            paths,
            Optional.of(TableParser.parse("ports.txt", table).table()));
  }

  private static HaPaths paths(Path dir, String state) throws IOException {
    HaPaths paths = new HaPaths(dir.resolve("etc"), dir.resolve("run"));
    Files.createDirectories(paths.runDir());
    if (state != null) {
      Files.writeString(paths.vrrpState(), state + "\n");
    }
    return paths;
  }

  private static List<String> errors(List<Finding> findings) {
    return findings.stream()
        .filter(f -> f.severity() == FindingSeverity.ERROR)
        .map(f -> f.check() + ": " + f.what())
        .toList();
  }

  @Test
  void aHealthyMasterHasNoErrors(@TempDir Path dir) throws Exception {
    List<Finding> findings =
        examine(
            host(MASTER_ADDRESSES, true, 2),
            paths(dir, "MASTER"),
            "13102 192.0.2.2 80 tcp snat=192.0.2.254\n");

    assertThat(errors(findings)).isEmpty();
    assertThat(findings)
        .extracting(Finding::what)
        .contains(
            "gw-a is VRRP MASTER",
            "virtual address 203.0.113.1/24 is on wan, as VRRP state MASTER says",
            "conntrackd runs and hears gw-b over sync (2 sync packets in 0 ms)");
  }

  @Test
  void aMasterThatHearsNoPeerMayBeHalfOfASplitBrain(@TempDir Path dir) throws Exception {
    List<Finding> findings = examine(host(MASTER_ADDRESSES, true, 0), paths(dir, "MASTER"), "");

    assertThat(errors(findings))
        .containsExactly(
            "ha-sync-peer: conntrackd runs but hears nothing from gw-b at 198.51.100.2 over sync");
    assertThat(findings).anySatisfy(f -> assertThat(f.why()).contains("split brain"));
  }

  @Test
  void aBackupHoldingAVirtualAddressIsAnError(@TempDir Path dir) throws Exception {
    List<Finding> findings = examine(host(BACKUP_ADDRESSES, true, 1), paths(dir, "BACKUP"), "");

    assertThat(errors(findings))
        .containsExactly(
            "ha-virtual-addresses: virtual address 192.0.2.254/24 is on vpn, but this gateway is"
                + " BACKUP");
  }

  @Test
  void reportsAStoppedConntrackdAMissingStateAndAMasqueradingForward(@TempDir Path dir)
      throws Exception {
    List<Finding> findings =
        examine(host(BACKUP_ADDRESSES, false, 0), paths(dir, null), "13102 192.0.2.2 80 tcp\n");

    assertThat(errors(findings))
        .containsExactly(
            "ha-conntrackd: conntrackd does not answer on " + dir.resolve("run/conntrackd.ctl"),
            "ha-snat: ports.txt:1: forward 13102 masquerades to this gateway's own VPN-side"
                + " address, so its connections end with a failover; add snat=192.0.2.254");
    assertThat(findings)
        .anySatisfy(
            f -> {
              assertThat(f.check()).isEqualTo("ha-vrrp-state");
              assertThat(f.severity()).isEqualTo(FindingSeverity.WARNING);
            });
  }
}
