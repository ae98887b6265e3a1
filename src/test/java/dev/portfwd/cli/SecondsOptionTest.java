package dev.portfwd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SecondsOptionTest {

  @Test
  void takesItsRangeAndNothingElseNotEvenNaN() {
    assertThat(SecondsOption.within("--check-interval", 0.1, 0.1, 3600))
        .isEqualTo(Duration.ofMillis(100));
    assertThat(SecondsOption.within("--check-interval", 3600, 0.1, 3600))
        .isEqualTo(Duration.ofHours(1));
    // NaN once passed every check and made the relay and the service check without pause.
    for (double outside :
        new double[] {
          0.05, 3600.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY
        }) {
      assertThatThrownBy(() -> SecondsOption.within("--check-interval", outside, 0.1, 3600))
          .as("%s", outside)
          .isInstanceOfSatisfying(
              PortfwdException.class,
              e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT))
          .hasMessage("--check-interval takes 0.1 to 3600 seconds, not " + outside);
    }
  }

  @Test
  void refusesNaNWhereZeroIsTheLeastItTakes() {
    assertThat(SecondsOption.within("--status-max-age", 0, 0, 3600)).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> SecondsOption.within("--status-max-age", Double.NaN, 0, 3600))
        .isInstanceOf(PortfwdException.class)
        .hasMessage("--status-max-age takes 0 to 3600 seconds, not NaN");
  }

  @Test
  void namesTheOptionThatIsItsLowerBound() {
    assertThat(SecondsOption.within("--full-interval", 60, 5, "--interval", 86_400))
        .isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> SecondsOption.within("--full-interval", 4, 5, "--interval", 86_400))
        .isInstanceOf(PortfwdException.class)
        .hasMessage("--full-interval takes --interval to 86400 seconds, not 4");
    assertThatThrownBy(
            () -> SecondsOption.within("--full-interval", Double.NaN, 5, "--interval", 86_400))
        .isInstanceOf(PortfwdException.class)
        .hasMessage("--full-interval takes --interval to 86400 seconds, not NaN");
  }
}
