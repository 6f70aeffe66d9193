package io.github.cspipeline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final RateLimiter limiter = new RateLimiter(clock);
  private final Caller fivePerSecond = new Caller("five", List.of("*"), List.of("*"), 5);

  @Test
  void a_caller_gets_one_second_worth_of_requests_at_once_then_waits() {
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.acquire(fivePerSecond)).isEmpty();
    }

    assertThat(limiter.acquire(fivePerSecond)).hasValue(Duration.ofMillis(200));
  }

  @Test
  void the_bucket_refills_with_time() {
    for (int i = 0; i < 5; i++) {
      limiter.acquire(fivePerSecond);
    }

    clock.advance(Duration.ofMillis(200));

    assertThat(limiter.acquire(fivePerSecond)).isEmpty();
    assertThat(limiter.acquire(fivePerSecond)).isPresent();
  }

  @Test
  void callers_have_buckets_of_their_own() {
    var other = new Caller("other", List.of("*"), List.of("*"), 1);
    assertThat(limiter.acquire(other)).isEmpty();
    assertThat(limiter.acquire(other)).hasValue(Duration.ofSeconds(1));

    assertThat(limiter.acquire(fivePerSecond)).isEmpty();
  }
}
