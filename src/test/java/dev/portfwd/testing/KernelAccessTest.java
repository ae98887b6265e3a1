package dev.portfwd.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KernelAccessTest {

  @Test
  void findsTheProgramsAScriptRunsNotTheWordsItEchoes() {
    assertThat(KernelAccess.programsIn("echo ping | timeout 6 socat -t3 -T3 - TCP:192.0.2.2:80"))
        .containsExactly("socat");
    assertThat(
            KernelAccess.programsIn("sysctl -qw net.ipv4.ip_forward=0 && conntrack -L; ip -br a"))
        .containsExactly("sysctl", "conntrack", "ip");
    assertThat(KernelAccess.programsIn("X=1 exec nft -f - || (ping -c1 192.0.2.1)"))
        .containsExactly("nft", "ping");
  }

  @Test
  void ignoresProgramsOfUnknownPackagesAndPaths() {
    assertThat(KernelAccess.programsIn("/usr/bin/socat x; frobnicate; echo 1 > /proc/sys/x"))
        .isEmpty();
  }

  @Test
  void namesThePackagesOfTestOnlyProgramsAndPortfwdsOwn() {
    assertThat(KernelAccess.debianPackage("ping")).contains("iputils-ping");
    assertThat(KernelAccess.debianPackage("promtool")).contains("prometheus");
    assertThat(KernelAccess.debianPackage("iptables-legacy-save")).contains("iptables");
    assertThat(KernelAccess.debianPackage("nft")).contains("nftables");
  }

  /**
   * CI runs {@code bin/quickstart test} on a fresh Debian: a package it leaves out fails every test
   * that runs its program there, though a developer's machine has it (curl did).
   */
  @Test
  void quickstartTestInstallsThePackageOfEveryProgramTheTestsRun() throws IOException {
    String quickstart = Files.readString(Path.of("bin/quickstart"));
    Set<String> installed = new HashSet<>();
    Matcher arrays = Pattern.compile("packages\\+?=\\(([^)]*)\\)").matcher(quickstart);
    while (arrays.find()) {
      installed.addAll(List.of(arrays.group(1).strip().split("\\s+")));
    }
    assertThat(installed).as("bin/quickstart's packages").contains("maven", "curl");
    // Essential in Debian: on every installed system.
    Set<String> essential = Set.of("bash", "dash", "coreutils");
    Set<String> needed = new HashSet<>(KernelAccess.knownPackages());
    needed.removeAll(essential);
    assertThat(installed).containsAll(needed);
  }
}
