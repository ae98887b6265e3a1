package dev.portfwd.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What {@code packaging/deb} puts in the package built by {@code mvn package} (jdeb). */
class DebianPackageTest {

  private static final Path DEB = Path.of("packaging/deb");

  @Test
  void conffileHoldsTheOriginalExampleWithEveryLineCommentedOut() throws IOException {
    List<String> conffile = Files.readAllLines(DEB.resolve("ports.txt"));
    List<String> example = Files.readAllLines(Path.of("examples/seed-ports.txt"));

    assertThat(conffile).allMatch(line -> line.startsWith("#"));
    assertThat(conffile).containsSubsequence(example.stream().map(l -> "# " + l).toList());
  }

  @Test
  void dependsOnJava17AFirewallToolAndIproute2AndRecommendsConntrack() throws IOException {
    List<String> control = Files.readAllLines(DEB.resolve("control/control"));

    assertThat(control)
        .contains(
            "Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless,"
                + " nftables | iptables, iproute2",
            "Recommends: conntrack",
            "Architecture: all");
  }

  @Test
  void maintainerScriptsEnableAndStartNothing() throws IOException {
    for (String script : List.of("postinst", "prerm", "postrm")) {
      String text = Files.readString(DEB.resolve("control").resolve(script));
      // What the scripts say to the administrator may name commands; what they run may not.
      String commands =
          text.lines()
              .filter(line -> !line.strip().startsWith("echo "))
              .collect(Collectors.joining("\n"));
      assertThat(text).as(script).startsWith("#!/bin/sh").contains("set -e");
      assertThat(commands)
          .as(script)
          .doesNotContainPattern("systemctl\\s+(--\\S+\\s+)*(enable|start|restart)")
          .doesNotContainPattern("deb-systemd-(invoke|helper)\\s+(enable|start|restart)");
      assertThat(Files.isExecutable(DEB.resolve("control").resolve(script))).as(script).isTrue();
    }
  }

  @Test
  void anUpgradeRestartsTheWatchServiceOnlyIfItRunsAndNeverTheRelay() throws IOException {
    String postinst = Files.readString(DEB.resolve("control/postinst"));
    assertThat(postinst)
        .contains("deb-systemd-invoke try-restart portfwd.service")
        .doesNotContain("try-restart portfwd-relay");
  }

  @Test
  void purgeDeletesTheStateDirectoryAndRemoveKeepsIt() throws IOException {
    String postrm = Files.readString(DEB.resolve("control/postrm"));
    String purge = postrm.substring(postrm.indexOf("purge)"), postrm.indexOf(";;"));

    assertThat(purge).contains("rm -rf /var/lib/portfwd");
    assertThat(postrm.indexOf("/var/lib/portfwd"))
        .isEqualTo(postrm.lastIndexOf("/var/lib/portfwd"));
  }
}
