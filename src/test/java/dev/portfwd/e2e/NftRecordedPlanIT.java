package dev.portfwd.e2e;

import static dev.portfwd.e2e.NftForwardingIT.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.host.CommandResult;
import dev.portfwd.testing.PortfwdJar;
import dev.portfwd.testing.Topology;
import dev.portfwd.testing.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plan taken from the record of the last apply (while the digest in the kernel proves it current)
 * changes the real kernel exactly as a plan from a full listing would, and a table edited by hand
 * under an unchanged digest is caught by the kernel and fixed with {@code --reread}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NftRecordedPlanIT {

  static final String BEFORE =
      """
      13102 192.0.2.2 80 # web
      13103 192.0.2.2 81 # moved below
      13110 192.0.2.2 13110 udp # game
      """;
  static final String AFTER =
      """
      13102 192.0.2.2 80 # web
      13103 192.0.2.2 80 # moved
      13111 192.0.2.2 13111 udp # game, new port
      """;

  @TempDir Path dir;

  CommandResult portfwd(Topology topology, String... args) {
    String[] withState = new String[args.length + 1];
    withState[0] = args[0];
    withState[1] = "--state-dir=" + dir.resolve("state");
    System.arraycopy(args, 1, withState, 2, args.length - 1);
    return PortfwdJar.runIn(topology, "gateway", withState);
  }

  @Test
  void changeFromTheRecordLeavesExactlyTheNewTableAndCarriesTraffic() throws Exception {
    try (Topology topology = Topology.reference()) {
      Traffic.tcpServer(topology, "backend", 80, "web", false);
      Path before = Files.writeString(dir.resolve("before.txt"), BEFORE);
      Path after = Files.writeString(dir.resolve("after.txt"), AFTER);
      ok(portfwd(topology, "apply", before.toString()));

      CommandResult change = ok(portfwd(topology, "apply", after.toString()));
      assertThat(change.stdout())
          .contains("~ 13103/tcp → 192.0.2.2:80  moved  (was 192.0.2.2:81 \"moved below\")")
          .contains("- 13110/udp")
          .contains("+ 13111/udp")
          .contains("nftables: 1 to add, 2 to change, 1 to remove");
      assertThat(ok(portfwd(topology, "plan", "--reread", after.toString())).stdout())
          .as("a full listing of the kernel agrees")
          .contains("no changes");
      assertThat(Traffic.tcp(topology, "client", Topology.GATEWAY_WAN, 13103))
          .isEqualTo("web 192.0.2.1");
    }
  }

  @Test
  void handEditUnderTheDigestFailsWithNothingChangedAndRereadFixesIt() throws Exception {
    try (Topology topology = Topology.reference()) {
      Path before = Files.writeString(dir.resolve("before.txt"), BEFORE);
      Path after = Files.writeString(dir.resolve("after.txt"), AFTER);
      ok(portfwd(topology, "apply", before.toString()));
      topology.exec(
          "gateway", "nft", "delete", "element", "inet", "portfwd", "dnat4", "{ udp . 13110 }");
      String edited = topology.exec("gateway", "nft", "list", "table", "inet", "portfwd").stdout();
      CommandResult doctor =
          PortfwdJar.runIn(topology, "gateway", "doctor", "--no-probe", before.toString());
      assertThat(doctor.stdout())
          .as("doctor lists the kernel, whatever the digest")
          .contains("the installed rules differ")
          .contains("+ 13110/udp")
          .contains("fix: portfwd apply --reread");

      CommandResult refused = portfwd(topology, "apply", after.toString());
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.stderr())
          .contains("nothing was changed")
          .contains("'portfwd apply --reread'");
      assertThat(topology.exec("gateway", "nft", "list", "table", "inet", "portfwd").stdout())
          .isEqualTo(edited);

      ok(portfwd(topology, "apply", "--reread", after.toString()));
      assertThat(ok(portfwd(topology, "plan", "--reread", after.toString())).stdout())
          .contains("no changes");
      assertThat(ok(portfwd(topology, "plan", after.toString())).stdout()).contains("no changes");
    }
  }
}
