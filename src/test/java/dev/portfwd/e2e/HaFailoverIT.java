package dev.portfwd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.compile.Compiler;
import dev.portfwd.compile.DesiredState;
import dev.portfwd.demo.HaDemo;
import dev.portfwd.demo.HaDemoNetwork;
import dev.portfwd.demo.HaDemoPair;
import dev.portfwd.ha.HaConfig;
import dev.portfwd.ha.HaDescription;
import dev.portfwd.ha.HaDescriptionParser;
import dev.portfwd.ha.HaFileWriter;
import dev.portfwd.ha.HaPaths;
import dev.portfwd.host.CommandResult;
import dev.portfwd.host.ProcessCommandRunner;
import dev.portfwd.table.TableParser;
import dev.portfwd.testing.KernelAccess;
import dev.portfwd.testing.PortfwdJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HA pair in namespaces with the real keepalived and conntrackd: a download kept through a
 * failover and a failback, and what a cut between the two gateways does (split brain).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HaFailoverIT {

  private static final Pattern KEPT =
      Pattern.compile("(?m)^failover: (\\d+) ms, connection kept, 0 bytes lost$");

  @Test
  void failoverKeepsTheDownloadAndLeavesNothing() throws Exception {
    KernelAccess.require("keepalived", "conntrackd", "conntrack", "nft");
    CommandResult demo = demo("--ha");

    assertThat(demo.exitCode()).as(demo.stdout() + demo.stderr()).isZero();
    assertThat(demo.stdout())
        .contains("gw-a: MASTER (holds the virtual addresses), gw-b: BACKUP")
        .contains("gw-b's conntrackd holds a copy of the connection")
        .contains("killing gw-a: links down")
        .contains("first byte through gw-b")
        .contains("nothing of the demo is left");
    assertThat(lastLine(demo.stdout())).matches(KEPT);
    assertNoNamespacesLeft();
  }

  @Test
  void failbackKeepsTheDownload() throws Exception {
    KernelAccess.require("keepalived", "conntrackd", "conntrack", "nft");
    CommandResult demo = demo("--ha", "--failovers", "2");

    assertThat(demo.exitCode()).as(demo.stdout() + demo.stderr()).isZero();
    assertThat(demo.stdout())
        .contains("bringing gw-a back as backup")
        .contains("killing gw-b (failover 2 of 2)")
        .contains("first byte through gw-a");
    assertThat(lastLine(demo.stdout())).matches(KEPT);
    assertNoNamespacesLeft();
  }

  /**
   * Both gateways up, everything between them cut (VRRP on both bridges, the sync link): each hears
   * no adverts and becomes MASTER, both hold the virtual addresses, and doctor on each says its
   * conntrackd hears nothing from the peer and that both may be MASTER. Joined again, VRRP leaves
   * one MASTER: the higher priority (gw-a) keeps it, gw-b steps back.
   */
  @Test
  void splitBrainMakesBothMasterAndDoctorSaysSo(@TempDir Path dir) throws Exception {
    KernelAccess.require("keepalived", "conntrackd", "conntrack", "nft");
    HaDescription pair =
        HaDescriptionParser.parse("demo.ha", HaDemoNetwork.DESCRIPTION).description().orElseThrow();
    DesiredState desired = Compiler.compile(TableParser.parse("t", HaDemo.TABLE).table());
    Path description = dir.resolve("pair.ha");
    Files.writeString(description, HaDemoNetwork.DESCRIPTION);
    Path table = dir.resolve("ports.txt");
    Files.writeString(table, HaDemo.TABLE);
    try (HaDemoNetwork network = HaDemoNetwork.create()) {
      Map<String, HaPaths> paths = new HashMap<>();
      for (String gw : HaDemoNetwork.GATEWAYS) {
        HaPaths p = new HaPaths(dir.resolve(gw).resolve("etc"), dir.resolve(gw).resolve("run"));
        Files.createDirectories(p.runDir());
        HaFileWriter.write(p, HaConfig.generate(pair, gw, p));
        HaDemoPair.apply(network, gw, desired, dir.resolve(gw).resolve("state"), l -> {});
        paths.put(gw, p);
      }
      HaDemoPair.startDaemons(network, "gw-a", paths.get("gw-a"));
      HaDemoPair.awaitState(paths.get("gw-a"), "MASTER");
      HaDemoPair.startDaemons(network, "gw-b", paths.get("gw-b"));
      HaDemoPair.awaitState(paths.get("gw-b"), "BACKUP");
      assertThat(doctor(network, "gw-a", description, paths.get("gw-a"), table).stdout())
          .contains("gw-a is VRRP MASTER")
          .contains("conntrackd runs and hears gw-b over sync");

      // The cut: the switch drops frames between the gateways' ports, the sync link goes down.
      network.shIn(
          "switch",
          "nft add table bridge cut && nft add chain bridge cut forward '{ type filter hook forward"
              + " priority 0; }' && nft add rule bridge cut forward iifname 'a-*' oifname 'b-*'"
              + " drop && nft add rule bridge cut forward iifname 'b-*' oifname 'a-*' drop");
      network.shIn("gw-b", "ip link set sync down");
      HaDemoPair.awaitState(paths.get("gw-b"), "MASTER");
      assertThat(HaDemoPair.state(paths.get("gw-a"))).isEqualTo("MASTER");

      CommandResult doctorA = doctor(network, "gw-a", description, paths.get("gw-a"), table);
      CommandResult doctorB = doctor(network, "gw-b", description, paths.get("gw-b"), table);
      for (CommandResult doctor : List.of(doctorA, doctorB)) {
        assertThat(doctor.exitCode()).as(doctor.stdout()).isEqualTo(1);
        assertThat(doctor.stdout())
            .contains("is VRRP MASTER")
            .contains("virtual address 203.0.113.1/24 is on wan, as VRRP state MASTER says")
            .contains("conntrackd runs but hears nothing from")
            .contains("split brain");
      }

      network.shIn("switch", "nft delete table bridge cut");
      network.shIn("gw-b", "ip link set sync up");
      HaDemoPair.awaitState(paths.get("gw-b"), "BACKUP");
      assertThat(HaDemoPair.state(paths.get("gw-a"))).isEqualTo("MASTER");
    }
    assertNoNamespacesLeft();
  }

  /**
   * After a reboot /run is empty and only keepalived starts (its unit is enabled): its first
   * notification must make the run folder, record the state and start conntrackd on both.
   */
  @Test
  void bothGatewaysComeBackFromKeepalivedAloneAfterAReboot(@TempDir Path dir) throws Exception {
    KernelAccess.require("keepalived", "conntrackd", "conntrack", "nft");
    HaDescription pair =
        HaDescriptionParser.parse("demo.ha", HaDemoNetwork.DESCRIPTION).description().orElseThrow();
    DesiredState desired = Compiler.compile(TableParser.parse("t", HaDemo.TABLE).table());
    try (HaDemoNetwork network = HaDemoNetwork.create()) {
      Map<String, HaPaths> paths = new HashMap<>();
      for (String gw : HaDemoNetwork.GATEWAYS) {
        HaPaths p = new HaPaths(dir.resolve(gw).resolve("etc"), dir.resolve(gw).resolve("run"));
        HaFileWriter.write(p, HaConfig.generate(pair, gw, p));
        HaDemoPair.apply(network, gw, desired, dir.resolve(gw).resolve("state"), l -> {});
        assertThat(p.runDir()).as("the run folder, empty after a reboot").doesNotExist();
        Path keepalivedFiles = Files.createDirectories(dir.resolve(gw).resolve("keepalived"));
        HaDemoPair.startKeepalived(network, gw, p, keepalivedFiles);
        paths.put(gw, p);
      }
      HaDemoPair.awaitState(paths.get("gw-a"), "MASTER");
      HaDemoPair.awaitState(paths.get("gw-b"), "BACKUP");
      for (String gw : HaDemoNetwork.GATEWAYS) {
        String conf = paths.get(gw).conntrackdConf().toString();
        assertThat(network.runner(gw).run(List.of("conntrackd", "-C", conf, "-s")).exitCode())
            .as(gw + "'s conntrackd, started by the notify hook, answers")
            .isZero();
      }
    }
    assertNoNamespacesLeft();
  }

  private static CommandResult doctor(
      HaDemoNetwork network, String gw, Path description, HaPaths p, Path table) throws Exception {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", network.namespace(gw)));
    argv.addAll(
        PortfwdJar.command(
            "doctor",
            "--direct",
            "--no-probe",
            "--ha",
            description.toString(),
            "--gateway",
            gw,
            "--ha-config-dir",
            p.configDir().toString(),
            "--ha-run-dir",
            p.runDir().toString(),
            table.toString()));
    return new ProcessCommandRunner().run(argv);
  }

  private static CommandResult demo(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("demo"));
    argv.addAll(List.of(args));
    // A failover takes a few seconds of set-up and waiting; more than the runner's default limit.
    return new ProcessCommandRunner()
        .run(PortfwdJar.command(argv.toArray(String[]::new)), "", Duration.ofSeconds(240));
  }

  private static String lastLine(String text) {
    List<String> lines = text.lines().toList();
    return lines.get(lines.size() - 1);
  }

  private static void assertNoNamespacesLeft() throws Exception {
    String namespaces = new ProcessCommandRunner().run(List.of("ip", "netns", "list")).stdout();
    assertThat(namespaces).doesNotContain("pfha-");
  }
}
