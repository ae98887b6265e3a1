package dev.portfwd.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portfwd.model.IpFamily;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OnDemandNameResolverTest {

  @Test
  void makesTheSystemResolverOnlyForTheFirstNameAndOnlyOnce() {
    AtomicInteger made = new AtomicInteger();
    try (OnDemandNameResolver resolver =
        new OnDemandNameResolver(
            () -> {
              made.incrementAndGet();
              return new SystemNameResolver();
            })) {
      assertThat(resolver.started()).isFalse();
      assertThat(made).hasValue(0);
      resolver.resolve("localhost", IpFamily.IPV4);
      resolver.resolve("localhost", IpFamily.IPV4);
      assertThat(resolver.started()).isTrue();
      assertThat(made).hasValue(1);
    }
  }
}
