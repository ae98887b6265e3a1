package dev.portfwd.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.backend.Plan;
import dev.portfwd.compile.DesiredState;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriorStateTest {

  @Test
  void reconstructsTheInstalledForwardsFromAddsChangesAndRemoves() {
    DesiredState installed =
        Forwards.of("13102 192.0.2.2 80 tcp # web\n13103 192.0.2.3 80 udp\n7000 192.0.2.4\n");
    DesiredState wanted =
        Forwards.of("13102 192.0.2.9 8080 tcp # moved\n7000 192.0.2.4\n9000 192.0.2.5 tcp\n");
    Plan plan =
        new Plan("nftables", wanted, Plan.diff(installed.forwards(), wanted.forwards()), "script");

    assertThat(plan.summary()).isEqualTo("1 to add, 1 to change, 1 to remove");
    assertThat(PriorState.of(plan)).isEqualTo(installed);
  }

  @Test
  void emptyPlanMeansTheDesiredStateIsInstalled() {
    DesiredState installed = Forwards.of("13102 192.0.2.2 80\n");
    Plan plan =
        new Plan("nftables", installed, Plan.diff(installed.forwards(), installed.forwards()), "");
    assertThat(PriorState.of(plan)).isEqualTo(installed);
  }

  @Test
  void firstApplyHadNothingBefore() {
    DesiredState wanted =
        Forwards.of(
            "13102 192.0.2.2 80\n[2001:db8:1::1]:443 2001:db8:2::2 tcp from=2001:db8:1::/64\n");
    Plan plan = new Plan("nftables", wanted, Plan.diff(List.of(), wanted.forwards()), "script");
    assertThat(PriorState.of(plan).isEmpty()).isTrue();
  }

  @Test
  void linesOfThePriorStateAreThoseOfItsForwardsWhateverThePlanChanged() {
    List<String> tables =
        List.of(
            "",
            "13102 192.0.2.2 80 tcp # web\n13103 192.0.2.3 80 udp\n7000 192.0.2.4\n",
            "13102 192.0.2.9 8080 tcp # moved\n7000 192.0.2.4\n9000 192.0.2.5 tcp\n",
            "8000-8009 192.0.2.4 9000-9009 udp\n8010-8019 192.0.2.4 9010-9019 udp\n1 192.0.2.2 1\n",
            "8000-8009 192.0.2.4 9000-9009 udp\n8010-8019 192.0.2.5 9010-9019 udp\n65535 192.0.2.2 1\n",
            "[2001:db8:1::1]:443 2001:db8:2::2 tcp from=2001:db8:1::/64\n443 192.0.2.2 tcp from=203.0.113.0/24\n");
    for (String before : tables) {
      for (String after : tables) {
        DesiredState installed = Forwards.of(before);
        DesiredState wanted = Forwards.of(after);
        Plan plan =
            new Plan(
                "nftables", wanted, Plan.diff(installed.forwards(), wanted.forwards()), "script");
        assertThat(PriorState.lines(plan, Snapshot.lines(wanted)))
            .as(before + " -> " + after)
            .isEqualTo(Snapshot.lines(installed))
            .isEqualTo(Snapshot.lines(PriorState.of(plan)));
      }
    }
  }
}
