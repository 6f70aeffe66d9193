package io.github.cspipeline.worker.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryBackoffTest {

  @ParameterizedTest(name = "attempt {0}: {1} s")
  @CsvSource({"1, 1", "2, 3", "3, 9", "4, 10", "400, 10"})
  void delays_grow_by_the_multiplier_up_to_the_maximum(int attempt, long seconds) {
    var backoff = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 3.0, () -> 1.0);

    assertThat(backoff.delay(attempt, null)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void the_second_half_of_each_delay_is_random() {
    var lowest = new RetryBackoff(Duration.ofSeconds(4), Duration.ofMinutes(1), 2.0, () -> 0.0);
    var middle = new RetryBackoff(Duration.ofSeconds(4), Duration.ofMinutes(1), 2.0, () -> 0.5);

    assertThat(lowest.delay(1, null)).isEqualTo(Duration.ofSeconds(2));
    assertThat(middle.delay(1, null)).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void random_delays_stay_within_half_and_all_of_the_computed_delay() {
    var backoff = new RetryBackoff(Duration.ofSeconds(2), Duration.ofMinutes(1), 2.0);

    for (int i = 0; i < 100; i++) {
      assertThat(backoff.delay(2, null)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }
  }

  @Test
  void a_longer_retry_after_wins_and_a_shorter_one_does_not() {
    var backoff = new RetryBackoff(Duration.ofSeconds(4), Duration.ofMinutes(1), 2.0, () -> 1.0);

    assertThat(backoff.delay(1, Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(20));
    assertThat(backoff.delay(1, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void a_maximum_below_the_initial_delay_is_refused() {
    assertThatThrownBy(() -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2.0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
