package dev.portfwd.testing;

import static org.assertj.core.api.Assertions.assertThat;

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
}
