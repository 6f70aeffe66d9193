package io.github.cspipeline.simulator.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlidingWindowTest {

  private static final long MS = 1_000_000L;

  private final SlidingWindow window = new SlidingWindow();

  @Test
  void counts_the_events_of_the_last_second_and_remembers_the_highest_count() {
    window.record(0);
    window.record(400 * MS);
    window.record(900 * MS);
    int atOneSecond = window.record(1000 * MS);
    int later = window.record(2500 * MS);

    assertThat(atOneSecond).isEqualTo(3);
    assertThat(later).isEqualTo(1);
    assertThat(window.max()).isEqualTo(3);
  }

  @Test
  void finds_the_busiest_window_even_when_it_straddles_whole_seconds() {
    for (int i = 0; i < 5; i++) {
      window.record(900 * MS + i);
    }
    for (int i = 0; i < 5; i++) {
      window.record(1100 * MS + i);
    }

    assertThat(window.max()).isEqualTo(10);
  }

  @Test
  void admits_up_to_the_limit_within_any_second() {
    boolean first = window.tryRecord(0, 2);
    boolean second = window.tryRecord(10 * MS, 2);
    boolean third = window.tryRecord(999 * MS, 2);
    boolean afterFirstLeft = window.tryRecord(1000 * MS, 2);
    boolean stillFull = window.tryRecord(1009 * MS, 2);

    assertThat(first).isTrue();
    assertThat(second).isTrue();
    assertThat(third).isFalse();
    assertThat(afterFirstLeft).isTrue();
    assertThat(stillFull).isFalse();
  }

  @Test
  void grows_beyond_its_initial_capacity() {
    for (int i = 0; i < 1000; i++) {
      window.record(i * MS / 2);
    }

    assertThat(window.max()).isEqualTo(1000);
  }

  @Test
  void treats_an_event_from_a_clock_that_stepped_back_as_simultaneous() {
    window.record(5000 * MS);
    int count = window.record(1000 * MS);

    assertThat(count).isEqualTo(2);
  }

  @Test
  void forgets_everything_on_reset() {
    window.record(0);
    window.record(1);

    window.reset();

    assertThat(window.max()).isZero();
    assertThat(window.record(0)).isEqualTo(1);
  }
}
