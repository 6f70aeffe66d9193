package io.github.cspipeline.poller.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

  private static Backoff withoutJitter() {
    return new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0.2, () -> 0.0);
  }

  @ParameterizedTest(name = "after {0} polls: {1} s")
  @CsvSource({"1, 2", "2, 4", "4, 16", "5, 30", "10000, 30"})
  void doubles_the_interval_after_each_poll_up_to_the_cap(int polls, long seconds) {
    assertThat(withoutJitter().after(polls, null)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void jitter_only_shortens_an_interval_so_the_cap_holds() {
    var maximalJitter =
        new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0.2, () -> 0.999_999);

    assertThat(maximalJitter.after(1, null))
        .isBetween(Duration.ofMillis(1_600), Duration.ofMillis(1_601));
    assertThat(maximalJitter.after(50, null))
        .isBetween(Duration.ofSeconds(24), Duration.ofMillis(24_001));
  }

  @Test
  void half_way_jitter_takes_half_the_jitter_fraction_off() {
    var backoff = new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0.2, () -> 0.5);

    assertThat(backoff.after(3, null))
        .isBetween(Duration.ofMillis(7_199), Duration.ofMillis(7_201));
  }

  @Test
  void honours_a_retry_after_longer_than_the_interval_even_beyond_the_cap() {
    var backoff = withoutJitter();

    assertThat(backoff.after(1, Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.after(9, Duration.ofMinutes(2))).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void ignores_a_retry_after_shorter_than_the_interval() {
    assertThat(withoutJitter().after(3, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void refuses_a_shrinking_multiplier_or_a_jitter_above_one() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(30), 0, () -> 0));
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(30), 1.5, () -> 0));
  }

  @Test
  void honours_a_retry_after_for_one_hour_at_most() {
    var backoff = withoutJitter();

    assertThat(backoff.after(1, Duration.ofHours(2))).isEqualTo(Duration.ofHours(1));
    assertThat(backoff.after(1, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)))
        .isEqualTo(Backoff.MAX_RETRY_AFTER);
  }

  @Test
  void computes_intervals_and_ages_beyond_what_a_duration_in_nanoseconds_can_hold() {
    var centuries =
        new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofDays(365L * 1_000), 0, () -> 0.0);

    assertThat(centuries.after(1_000, null)).isPositive();
    assertThat(withoutJitter().pollsWithin(Duration.ofDays(365L * 10_000)))
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(withoutJitter().pollsWithin(Duration.ofSeconds(Long.MAX_VALUE)))
        .isEqualTo(Integer.MAX_VALUE);
  }
}
