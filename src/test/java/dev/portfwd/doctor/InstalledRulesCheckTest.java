package dev.portfwd.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.ForwardTable;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstalledRulesCheckTest {

  private final InstalledRulesCheck check = new InstalledRulesCheck();
  private final ForwardTable table = Facts.table("13102 192.0.2.2 80\n");

  @Test
  void missingRulesAreAnErrorFixedByApply() {
    Facts facts = Facts.healthy(table);
    facts.installed = new InstalledState(true, false, Optional.empty(), "the nftables backend");
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(FindingSeverity.ERROR);
              assertThat(f.what()).contains("not installed");
              assertThat(f.fix()).isEqualTo("portfwd apply ports.txt");
            });
  }

  @Test
  void pendingChangesAreListed() {
    Facts facts = Facts.healthy(table);
    facts.installed =
        new InstalledState(true, true, Optional.of(List.of("+ 13102/tcp → 192.0.2.2:80")), "plan");
    assertThat(check.check(table, facts.build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.what()).contains("1 change pending: + 13102/tcp → 192.0.2.2:80");
              assertThat(f.fix()).isEqualTo("portfwd apply --reread ports.txt");
            });
  }

  @Test
  void installedRulesThatCannotBeComparedAreNotGuessedAbout() {
    Facts facts = Facts.healthy(table);
    facts.installed = new InstalledState(true, true, Optional.empty(), "the nftables backend");
    assertThat(check.check(table, facts.build())).isEmpty();
  }

  @Test
  void unreadableRulesAreNotCalledMissing() {
    Facts facts = Facts.healthy(table);
    facts.installed = InstalledState.unreadable("cannot read portfwd's installed rules: not root");
    assertThat(check.check(table, facts.build())).isEmpty();
  }
}
