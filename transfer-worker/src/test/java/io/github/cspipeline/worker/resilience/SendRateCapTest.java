package io.github.cspipeline.worker.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SendRateCapTest {

  @Test
  void no_more_than_the_rate_leaves_within_one_second() throws Exception {
    var cap = new SendRateCap(3);

    assertThat(cap.acquire(Duration.ZERO)).isTrue();
    assertThat(cap.acquire(Duration.ZERO)).isTrue();
    assertThat(cap.acquire(Duration.ZERO)).isTrue();
    assertThat(cap.acquire(Duration.ZERO)).isFalse();
  }

  @Test
  void a_rate_below_one_allows_one_request_per_period() throws Exception {
    var cap = new SendRateCap(0.5);

    assertThat(cap.acquire(Duration.ZERO)).isTrue();
    assertThat(cap.acquire(Duration.ofSeconds(1))).isFalse();
  }
}
