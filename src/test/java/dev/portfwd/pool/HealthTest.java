package dev.portfwd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthTest {

  private static Health after(Health health, String... results) {
    for (String result : results) {
      health = health.after(result.equals("ok") ? null : result, 3, 2);
    }
    return health;
  }

  @Test
  void goesDownOnlyAfterFallFailuresInARow() {
    assertThat(after(Health.INITIAL, "refused", "refused").up()).isTrue();
    assertThat(after(Health.INITIAL, "refused", "refused", "ok", "refused", "refused").up())
        .isTrue();
    Health down = after(Health.INITIAL, "refused", "refused", "refused");
    assertThat(down.up()).isFalse();
    assertThat(down.lastProblem()).isEqualTo("refused");
  }

  @Test
  void comesBackOnlyAfterRiseSuccessesInARow() {
    Health down = after(Health.INITIAL, "x", "x", "x");
    assertThat(after(down, "ok").up()).isFalse();
    assertThat(after(down, "ok", "x", "ok").up()).isFalse();
    assertThat(after(down, "ok", "ok").up()).isTrue();
  }
}
