package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DetachedTimerLauncherTest {

  @Test
  void aTimerGuardingFewForwardsKeepsASmallHeap() {
    assertThat(DetachedTimerLauncher.maxHeapMegabytes(0)).isEqualTo(96);
    assertThat(DetachedTimerLauncher.maxHeapMegabytes(20)).isEqualTo(97);
  }

  @Test
  void theHeapGrowsWithTheForwardsARollbackMayRead() {
    // 50,000 table lines carry 100,000 forwards (TCP and UDP), restored and in force: a rollback
    // that lists the kernel needed 320 MB with nftables and up to 640 MB with iptables.
    long heap = DetachedTimerLauncher.maxHeapMegabytes(200_000);
    assertThat(heap).isGreaterThan(640);
    assertThat(DetachedTimerLauncher.javaCommand("Main", "rollback-timer", 200_000))
        .contains("-Xmx" + heap + "m")
        .endsWith("Main", "rollback-timer");
  }
}
