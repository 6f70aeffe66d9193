package io.github.cspipeline.example.consumer.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class HandledEventIdsTest {

  @Test
  void remembers_handled_ids() {
    var ids = new HandledEventIds(2);

    ids.add("a");

    assertThat(ids.contains("a")).isTrue();
    assertThat(ids.contains("b")).isFalse();
  }

  @Test
  void forgets_the_least_recently_seen_id_beyond_its_capacity() {
    var ids = new HandledEventIds(2);
    ids.add("a");
    ids.add("b");
    assertThat(ids.contains("a")).isTrue(); // "a" seen again: "b" is now the eldest

    ids.add("c");

    assertThat(ids.size()).isEqualTo(2);
    assertThat(ids.contains("a")).isTrue();
    assertThat(ids.contains("b")).isFalse();
    assertThat(ids.contains("c")).isTrue();
  }

  @Test
  void refuses_a_capacity_below_one() {
    assertThatIllegalArgumentException().isThrownBy(() -> new HandledEventIds(0));
  }
}
