package dev.portfwd.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

  private final SessionsTest.MovableClock clock = new SessionsTest.MovableClock();
  private final LoginThrottle throttle = new LoginThrottle(clock);

  private void fail(String address, int times) {
    for (int i = 0; i < times; i++) {
      throttle.failed(address);
    }
  }

  @Test
  void fourFailuresCostNothingTheFifthMakesTheNextAttemptWait() {
    fail("203.0.113.9", 4);
    assertThat(throttle.waitFor("203.0.113.9")).isEmpty();
    fail("203.0.113.9", 1);
    assertThat(throttle.waitFor("203.0.113.9")).contains(LoginThrottle.FIRST_WAIT);
    clock.advance(LoginThrottle.FIRST_WAIT);
    assertThat(throttle.waitFor("203.0.113.9")).isEmpty();
  }

  @Test
  void eachFurtherFailureDoublesTheWaitUpToTheMaximum() {
    fail("203.0.113.9", 6);
    assertThat(throttle.waitFor("203.0.113.9")).contains(LoginThrottle.FIRST_WAIT.multipliedBy(2));
    fail("203.0.113.9", 30);
    assertThat(throttle.waitFor("203.0.113.9")).contains(LoginThrottle.MAX_WAIT);
  }

  @Test
  void countsPerAddressAndForgetsAfterASuccess() {
    fail("203.0.113.9", 5);
    assertThat(throttle.waitFor("198.51.100.4")).isEmpty();
    throttle.succeeded("203.0.113.9");
    assertThat(throttle.waitFor("203.0.113.9")).isEmpty();
  }

  @Test
  void forgetsFailuresAfterAnHourOfQuiet() {
    fail("203.0.113.9", 5);
    clock.advance(LoginThrottle.MEMORY.plus(Duration.ofSeconds(1)));
    fail("198.51.100.4", 1); // any failure sweeps out the old ones
    fail("203.0.113.9", 1);
    assertThat(throttle.waitFor("203.0.113.9")).isEmpty();
  }

  @Test
  void countsAnIpv6ClientByItsSlash64SoNewAddressesGiveNoNewTries() {
    for (int i = 1; i <= 5; i++) {
      throttle.failed("2001:db8:7:7::" + Integer.toHexString(i));
    }
    assertThat(throttle.waitFor("2001:db8:7:7:ffff:1:2:3"))
        .as("another address of the same /64")
        .contains(LoginThrottle.FIRST_WAIT);
    assertThat(throttle.waitFor("2001:db8:7:8::1")).as("another /64").isEmpty();
    assertThat(throttle.waitFor("203.0.113.9")).isEmpty();
    throttle.succeeded("2001:db8:7:7::99");
    assertThat(throttle.waitFor("2001:db8:7:7::1")).isEmpty();
  }
}
