package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.apply.Plan;
import dev.portfwd.compile.DesiredState;
import org.junit.jupiter.api.Test;

class PriorStateTest {

  @Test
  void reconstructsTheInstalledForwardsFromAddsChangesAndRemoves() {
    DesiredState installed = Forwards.of("13102 192.0.2.2 80 tcp # web\n13103 192.0.2.3 80 udp\n7000 192.0.2.4\n");
    DesiredState wanted = Forwards.of("13102 192.0.2.9 8080 tcp # moved\n7000 192.0.2.4\n9000 192.0.2.5 tcp\n");
    Plan plan = new Plan("nftables", wanted, Plan.diff(installed.forwards(), wanted.forwards()), "script");

    assertThat(plan.summary()).isEqualTo("1 to add, 1 to change, 1 to remove");
    assertThat(PriorState.of(plan)).isEqualTo(installed);
  }

  @Test
  void emptyPlanMeansTheDesiredStateIsInstalled() {
    DesiredState installed = Forwards.of("13102 192.0.2.2 80\n");
    Plan plan = new Plan("nftables", installed, Plan.diff(installed.forwards(), installed.forwards()), "");
    assertThat(PriorState.of(plan)).isEqualTo(installed);
  }

  @Test
  void firstApplyHadNothingBefore() {
    DesiredState wanted = Forwards.of("13102 192.0.2.2 80\n[2001:db8:1::1]:443 2001:db8:2::2 tcp from=2001:db8:1::/64\n");
    Plan plan = new Plan("nftables", wanted, Plan.diff(java.util.List.of(), wanted.forwards()), "script");
    assertThat(PriorState.of(plan).isEmpty()).isTrue();
  }
}
